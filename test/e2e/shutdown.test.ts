/**
 * SIGTERM and SIGINT sent to the built binary at a moment the test controls: while HEC keeps it retrying (the
 * run finishes with everything spooled, exit 3, state committed), while an S3 body is still being read (the run
 * fails, exit 1, state untouched and unlocked), and twice (the second ends the process at once); SIGINT during
 * a --state backfill keeps its checkpoints, and its last line says so.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HecReceiver } from '../support/hecReceiver';
import { until } from '../support/until';
import { TEST_TOKEN } from '../support/hecTestKit';
import { startCuttingProxy, type CuttingProxy } from '../support/cuttingProxy';
import { startS3Server, type S3TestServer } from '../support/s3Server';
import { readNdjson, runCli } from '../support/cliRunner';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const ARCHIVES = path.join(ROOT, 'fixtures/e2e/archives');
/** fixtures/e2e/archives in UTC: 14 daily, m2m and event_type summaries, 3 coverage, 3 active_users and 6 quota (binary.test.ts). */
const SUMMARIES = 26;
const COMMON = ['--log-format', 'json', '--no-progress', '--no-table'];

interface Running {
  child: ChildProcess;
  stderr(): string;
  /** Resolves once stderr has a line containing `text`. */
  waitForStderr(text: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Children still running when a test ends (it failed): killed, so none outlives the suite. */
const started = new Set<ChildProcess>();

function start(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let stderr = '';
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  child.stdout!.resume();
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const entry of waiting.splice(0)) {
      if (stderr.includes(entry.text)) entry.resolve();
      else waiting.push(entry);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stderr: () => stderr,
    waitForStderr: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stderr.includes(text)) return resolve();
        waiting.push({ text, resolve });
        exited.then(() => setImmediate(() => reject(new Error(`exited before stderr said "${text}":\n${stderr}`))));
      }),
    exited,
  };
}

/** Every file below `dir` whose name ends in .tmp. */
function tmpFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.tmp'));
}

function lastRun(stateDir: string): { committed: boolean; run: Record<string, unknown> } {
  return JSON.parse(readFileSync(path.join(stateDir, 'last-run.json'), 'utf8'));
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-stop-'));
});
afterEach(() => {
  for (const child of started) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGTERM while HEC is being retried', () => {
  let receiver: HecReceiver;
  beforeEach(async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
  });
  afterEach(() => receiver.close());

  test('the wait ends, everything undelivered is spooled, the state commits, no temp file stays: exit 3', async () => {
    // Busy for good, asking for a wait far longer than any test: only the stop can end it.
    receiver.injectAlways({ kind: 'busy', retryAfterSeconds: 600 });
    const [output, quarantine, state, spool] = ['out/summaries.ndjson', 'out/quarantine.ndjson', 'state', 'spool'].map((name) => path.join(dir, name));
    const run = start(
      ['run', '--input', ARCHIVES, '--output', output, '--quarantine', quarantine, '--state', state, '--spool', spool, '--hec-url', receiver.url, '--hec-deadline', '3600', ...COMMON],
      { SPLUNK_HEC_TOKEN: TEST_TOKEN },
    );
    await run.waitForStderr('; retry 1 in 600000 ms');
    run.child.kill('SIGTERM');
    const { code } = await run.exited;

    expect([code, run.stderr()]).toEqual([3, expect.stringContaining('received SIGTERM: finishing up: undelivered summaries go to the spool; send it again to stop at once')]);
    // The first POST was the only one: no retry after the stop.
    expect(receiver.eventRequests().map((r) => r.status)).toEqual([503]);
    expect(receiver.indexed).toHaveLength(0);

    const written = readNdjson(readFileSync(output, 'utf8'));
    expect(written).toHaveLength(SUMMARIES + 1);
    const spoolFiles = readdirSync(spool);
    expect(spoolFiles).toEqual([expect.stringMatching(/^hec-.+\.ndjson$/)]);
    const spooled = readNdjson(readFileSync(path.join(spool, spoolFiles[0]!), 'utf8'));
    // Every summary and the run event, exactly as --output has them.
    expect(spooled).toEqual(written);
    const runEvent = spooled.at(-1).event;
    expect(runEvent).toMatchObject({ summary: 'run', status: 'partial', summaries: SUMMARIES, hec_requests: 1, hec_events_sent: 0, hec_events_spooled: SUMMARIES });
    expect(runEvent.error).toBeUndefined();

    // Spooled counts as delivered: the state moved on and is free.
    expect(existsSync(path.join(state, 'manifest.json'))).toBe(true);
    expect(existsSync(path.join(state, 'lock.json'))).toBe(false);
    expect(lastRun(state)).toMatchObject({ committed: true, run: { status: 'partial' } });
    expect(existsSync(quarantine)).toBe(true);
    expect(tmpFiles(dir)).toEqual([]);
  }, 30_000);

  test('in process, the handlers are there only while a run is going (main() runs many times in one process)', async () => {
    const before = { SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') };
    const during: Array<{ SIGTERM: number; SIGINT: number }> = [];
    const sample = () => during.push({ SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') });
    await receiver.close();
    receiver = await HecReceiver.start({ token: TEST_TOKEN, onIndexed: sample });
    for (let i = 0; i < 2; i++) {
      const result = await runCli(['run', '--input', ARCHIVES, '--output', path.join(dir, `run-${i}.ndjson`), '--spool', path.join(dir, 'spool'), '--hec-url', receiver.url, ...COMMON], { SPLUNK_HEC_TOKEN: TEST_TOKEN });
      expect(result.code).toBe(0);
    }
    expect(during).toHaveLength(2 * (SUMMARIES + 1));
    expect(new Set(during.map((counts) => JSON.stringify(counts)))).toEqual(new Set([JSON.stringify({ SIGTERM: before.SIGTERM + 1, SIGINT: before.SIGINT + 1 })]));
    expect({ SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') }).toEqual(before);
  });

  test('a second signal ends the process at once, by that signal (exit status 130 in a shell)', async () => {
    // The events are taken but the reply never comes within the test: a request in flight is waited for after
    // the first signal, so only the second can end the run before it.
    receiver.injectAlways({ kind: 'slow', delayMs: 600_000 });
    const run = start(
      ['run', '--input', ARCHIVES, '--output', path.join(dir, 'summaries.ndjson'), '--spool', path.join(dir, 'spool'), '--hec-url', receiver.url, '--hec-timeout', '900', ...COMMON],
      { SPLUNK_HEC_TOKEN: TEST_TOKEN },
    );
    await until(() => receiver.eventRequests().length > 0, 'the first HEC request');
    run.child.kill('SIGINT');
    await run.waitForStderr('received SIGINT: finishing up');
    run.child.kill('SIGINT');

    expect(await run.exited).toEqual({ code: null, signal: 'SIGINT' });
  }, 30_000);

  // A container without an init (Kubernetes, `docker run` without --init) runs node as its PID namespace's process
  // 1, to which the kernel does not deliver a signal left to its default action. `unshare` makes such a namespace
  // where the machine allows it (user namespaces); the test is skipped where it does not.
  const pidNamespace = spawnSync('unshare', ['-r', '-p', '-f', '--mount-proc', 'true']).status === 0;
  (pidNamespace ? test : test.skip)('as a container\'s process 1 too, the second signal ends the process at once (exit 143)', async () => {
    receiver.injectAlways({ kind: 'slow', delayMs: 600_000 });
    const args = ['run', '--input', ARCHIVES, '--output', path.join(dir, 'summaries.ndjson'), '--spool', path.join(dir, 'spool'), '--hec-url', receiver.url, '--hec-timeout', '900', ...COMMON];
    const unshare = spawn('unshare', ['-r', '-p', '-f', '--mount-proc', process.execPath, CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, SPLUNK_HEC_TOKEN: TEST_TOKEN },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    started.add(unshare);
    let stderr = '';
    unshare.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => unshare.once('exit', (code) => resolve(code)));
    await until(() => receiver.eventRequests().length > 0, 'the first HEC request');
    // unshare forks node into the new namespace and waits for it: signal node itself, by its pid outside.
    const node = Number(readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim());
    expect(node).toBeGreaterThan(0);
    process.kill(node, 'SIGTERM');
    await until(() => stderr.includes('received SIGTERM: finishing up'), 'the first signal heard');
    process.kill(node, 'SIGTERM');
    // unshare exits with its child's status: 128 + 15.
    expect(await exited).toBe(143);
  }, 30_000);
});

describe('SIGTERM while another run holds the state lock', () => {
  test('the wait ends at once: nothing is read, written or taken over, the lock stays its holder\'s: exit 1', async () => {
    // A lock of another host whose heartbeat is fresh: without the stop, this run would wait 2 minutes for it,
    // past this test's time limit.
    const state = path.join(dir, 'state');
    const output = path.join(dir, 'summaries.ndjson');
    mkdirSync(state);
    const at = new Date().toISOString();
    const lock = JSON.stringify({ token: 'other', host: 'other-host', pid: 1, acquiredAt: at, heartbeatAt: at });
    writeFileSync(path.join(state, 'lock.json'), lock);
    const run = start(['run', '--input', ARCHIVES, '--state', state, '--output', output, ...COMMON], {});
    await run.waitForStderr('the state is locked; waiting');
    run.child.kill('SIGTERM');
    const { code } = await run.exited;

    expect(code).toBe(1);
    const closing = JSON.parse(run.stderr().trimEnd().split('\n').at(-1)!);
    expect(closing).toMatchObject({ level: 'error', msg: `stopped by SIGTERM while waiting for the state lock of ${state}`, code: 'ERR_RUN_STOPPED', exit_code: 1 });
    // The run's id, as on its line that said it waits: a log search by run_id finds how the run ended.
    const waiting = run.stderr().split('\n').filter((line) => line.includes('the state is locked; waiting')).map((line) => JSON.parse(line));
    expect(waiting).toHaveLength(1);
    expect(typeof waiting[0].run_id).toBe('string');
    expect(closing.run_id).toBe(waiting[0].run_id);
    expect(run.stderr()).not.toContain('took over');
    expect(readFileSync(path.join(state, 'lock.json'), 'utf8')).toBe(lock);
    expect(readdirSync(state)).toEqual(['lock.json']);
    expect(existsSync(output)).toBe(false);
  }, 30_000);
});

describe('SIGTERM while objects are being read', () => {
  let server: S3TestServer;
  let proxy: CuttingProxy;
  let receiver: HecReceiver;
  beforeAll(async () => {
    server = await startS3Server({ buckets: ['archive'] });
    const objects = readdirSync(ARCHIVES, { recursive: true, encoding: 'utf8' })
      .filter((name) => statSync(path.join(ARCHIVES, name)).isFile())
      .map((name) => ({ key: `logs/${name}`, body: readFileSync(path.join(ARCHIVES, name)) }));
    await server.seed('archive', objects);
    proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  }, 60_000);
  afterAll(async () => {
    await proxy.stop();
    await server.stop();
  });
  beforeEach(async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
  });
  afterEach(() => receiver.close());

  test('reading stops, nothing is delivered, the run fails and the state stays as it was, unlocked: exit 1', async () => {
    // Every object body stalls after its first bytes: the reads can only end by the stop.
    proxy.sabotage({ match: (r) => r.method === 'GET' && r.url.startsWith('/archive/logs/'), action: { kind: 'stall', afterBytes: 10 } });
    const [output, quarantine, state, spool] = ['out/summaries.ndjson', 'out/quarantine.ndjson', 'state', 'spool'].map((name) => path.join(dir, name));
    const run = start(
      [
        'run', '--input', 's3://archive/logs/', '--s3-endpoint', proxy.endpoint, '--s3-force-path-style',
        '--output', output, '--quarantine', quarantine, '--state', state, '--spool', spool, '--hec-url', receiver.url, ...COMMON,
      ],
      { SPLUNK_HEC_TOKEN: TEST_TOKEN, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: 'us-east-1' },
    );
    await until(() => proxy.spoiled > 0, 'a body to stall');
    run.child.kill('SIGTERM');
    const { code } = await run.exited;

    expect(code).toBe(1);
    // Every line JSON (COMMON: --log-format json), the closing ones too: the error with its code, then what was kept.
    const closing = run.stderr().trimEnd().split('\n').map((line) => JSON.parse(line)).slice(-2);
    expect(closing).toEqual([
      expect.objectContaining({ level: 'error', msg: 'stopped by SIGTERM while reading', code: expect.stringMatching(/^ERR_/), exit_code: 1 }),
      expect.objectContaining({ level: 'info', msg: expect.stringMatching(/^nothing of this run was committed to /) }),
    ]);
    expect(run.stderr()).toContain('received SIGTERM: finishing up');
    // No summary reached HEC or --output; the run event says why, and waits in the spool for the next run.
    expect(receiver.eventRequests()).toHaveLength(0);
    const written = readNdjson(readFileSync(output, 'utf8'));
    expect(written.map((e) => e.event.summary)).toEqual(['run']);
    expect(written[0].event).toMatchObject({ status: 'failed', error: 'stopped by SIGTERM while reading', summaries: 0 });
    const spoolFiles = readdirSync(spool);
    expect(spoolFiles).toHaveLength(1);
    expect(readNdjson(readFileSync(path.join(spool, spoolFiles[0]!), 'utf8'))).toEqual(written);

    // Not committed (no manifest: this state never had one), and the lock given back.
    expect(existsSync(path.join(state, 'manifest.json'))).toBe(false);
    expect(existsSync(path.join(state, 'lock.json'))).toBe(false);
    expect(lastRun(state)).toMatchObject({ committed: false, run: { status: 'failed', error: 'stopped by SIGTERM while reading' } });
    expect(existsSync(quarantine)).toBe(true);
    expect(tmpFiles(dir)).toEqual([]);
  }, 30_000);
});

describe('SIGINT during a backfill committed at checkpoints (state on S3)', () => {
  const GENERATOR = path.join(ROOT, 'scripts/generate-archives.js');
  let server: S3TestServer;
  let proxy: CuttingProxy;
  let s3Env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    server = await startS3Server({ buckets: ['archive', 'usage-state'] });
    const generated = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-stop-backfill-'));
    try {
      // 16 daily objects (2024/01/01 … 2024/01/16), two tenants.
      execFileSync(process.execPath, [GENERATOR, '--out', generated, '--days', '16', '--records', '100', '--seed', '5'], { stdio: 'ignore' });
      const objects = readdirSync(generated, { recursive: true, encoding: 'utf8' })
        .filter((name) => statSync(path.join(generated, name)).isFile())
        .map((name) => ({ key: `logs/${name}`, body: readFileSync(path.join(generated, name)) }));
      expect(objects).toHaveLength(16);
      await server.seed('archive', objects);
    } finally {
      rmSync(generated, { recursive: true, force: true });
    }
    proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
    s3Env = { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: 'us-east-1' };
  }, 60_000);
  afterAll(async () => {
    await proxy.stop();
    await server.stop();
  });

  const args = (state: string, output: string, checkpoint = ['--checkpoint-objects', '5']) => [
    'run', '--input', 's3://archive/logs/', '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--concurrency', '1',
    '--state', state, ...checkpoint, '--output', output, ...COMMON,
  ];

  test('the last line says what was kept and how to go on; the rerun reads only the rest, and the latest figures equal an uninterrupted run\'s', async () => {
    // The 11th day's body stalls: the run reads 10 objects in 2 checkpoints of 5, then can only end by the stop.
    proxy.sabotage({ match: (r) => r.method === 'GET' && r.url.startsWith('/archive/logs/2024/01/11/'), action: { kind: 'stall', afterBytes: 10 } });
    const state = 's3://usage-state/stopped/';
    const run = start(args(state, path.join(dir, 'first.ndjson')), s3Env);
    await until(() => proxy.spoiled > 0, 'the 11th body to stall');
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    const lines = run.stderr().trimEnd().split('\n').map((line) => JSON.parse(line));
    expect([code, lines.at(-2), lines.at(-1)]).toEqual([
      1,
      expect.objectContaining({ level: 'error', msg: 'stopped by SIGINT while reading', exit_code: 1 }),
      expect.objectContaining({
        level: 'info',
        msg: `kept: 10 objects read and delivered at 2 checkpoints, committed to ${state}; run the same command again to read the rest`,
        state,
        commits: 2,
        objects: 10,
      }),
    ]);
    proxy.sabotage(undefined);
    // status tells the same: the stopped run's checkpoints are its commits (10 objects at the second).
    const status = await runCli(['status', '--state', state, '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--spool', path.join(dir, 'no-spool')], s3Env);
    expect(status.stdout).toMatch(/^committed  generation 2 at \S+ by run (\S+)$/m);
    expect(status.stdout).toMatch(/^objects    10 read /m);
    expect(status.stdout).toMatch(/^last run   \S+ \S+ → \S+: failed, committed up to its last checkpoint \(generation 2\), the rest not \(stopped by SIGINT while reading\)$/m);

    const rerun = await runCli(args(state, path.join(dir, 'rerun.ndjson')), s3Env);
    expect(rerun.code).toBe(0);
    // Uninterrupted, and in one commit (the default checkpoint, 250 objects, is beyond these 16).
    const whole = await runCli(args('s3://usage-state/uninterrupted/', path.join(dir, 'whole.ndjson'), []), s3Env);
    expect(whole.code).toBe(0);

    const events = (name: string) => readNdjson(readFileSync(path.join(dir, name), 'utf8'));
    const runEvent = (name: string) => events(name).find((e) => e.event.summary === 'run').event;
    expect(runEvent('rerun.ndjson')).toMatchObject({ objects: 6, status: 'ok' });
    expect(runEvent('whole.ndjson')).toMatchObject({ objects: 16, status: 'ok' });
    const latest = (...names: string[]) => {
      const byId = new Map<string, unknown>();
      for (const name of names) {
        for (const { event } of events(name)) {
          if (event.summary === 'run') continue;
          const { generated_at, run_id, ...figures } = event;
          byId.set(event.summary_id, figures);
        }
      }
      return byId;
    };
    expect(latest('first.ndjson', 'rerun.ndjson')).toEqual(latest('whole.ndjson'));
  }, 60_000);
});
