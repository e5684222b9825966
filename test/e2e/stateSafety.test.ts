import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runJob, type RunOptions } from '../../src/run/runJob';
import { RunState } from '../../src/state/runState';
import { closingLine, oneLineMessage, readNdjson, runCli } from '../support/cliRunner';
import { API, CollectingSink, comparable, configWith, labels, latestVersions, login, openLocal, silentLogger, snapshot, token, writeArchive } from '../unit/state/stateTestKit';

const config = configWith();
let dir: string;
let archives: string;
let stateDir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-state-safety-'));
  archives = path.join(dir, 'archives');
  stateDir = path.join(dir, 'state');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const A1 = [login(1, '2024-03-01T10:00:00Z', 'u1'), login(2, '2024-03-01T11:00:00Z', 'u2'), token(3, '2024-03-02T12:00:00Z', 'c1', API)];
const A2 = [login(4, '2024-03-02T09:00:00Z', 'u3'), login(5, '2024-03-03T09:30:00Z', 'u1'), token(6, '2024-03-03T10:00:00Z', 'c1', API)];

async function runWithState(extra: Partial<RunOptions> = {}) {
  const sink = new CollectingSink();
  const state = await RunState.open({ location: stateDir, timezone: 'UTC', config, logger: silentLogger });
  const outcome = await runJob({ inputs: [archives], config, timezone: 'UTC', openSource: openLocal, sinks: [sink], concurrency: 2, logger: silentLogger, state, ...extra });
  return { outcome, events: sink.events };
}

/** The committed state: everything but the note about the last run, which every run rewrites. */
function committedFiles(): Record<string, string> {
  const files = snapshot(stateDir);
  delete files['last-run.json'];
  return files;
}

describe('a crash between delivery and commit', () => {
  test('leaves the previous state; the rerun repeats the same summaries and converges', async () => {
    writeArchive(archives, 'a1.ndjson', A1);
    const first = await runWithState();
    expect(first.outcome.committed).toBe(true);
    const afterFirst = committedFiles();

    writeArchive(archives, 'a2.ndjson', A2);
    const crashed = await runWithState({
      hooks: {
        afterDelivery: () => {
          throw new Error('killed before the commit');
        },
      },
    });
    expect([crashed.outcome.committed, crashed.outcome.exitCode, crashed.outcome.run.status, crashed.outcome.run.error]).toEqual([false, 1, 'failed', 'killed before the commit']);
    expect(committedFiles()).toEqual(afterFirst);
    expect(readdirSync(stateDir).filter((name) => name.startsWith('staging-') || name === 'lock.json')).toEqual([]);

    const rerun = await runWithState();
    expect(rerun.outcome.committed).toBe(true);
    // The same summaries as the crashed run delivered, with the same summary_ids.
    const summariesOf = (events: typeof rerun.events) => events.filter((e) => e.event.summary !== 'run').map(comparable);
    expect(summariesOf(rerun.events)).toEqual(summariesOf(crashed.events));
    expect(labels(rerun.events)).toContain('daily acme 2024-03-03');

    const again = await runWithState();
    expect(labels(again.events)).toEqual([]);

    const single = new CollectingSink();
    await runJob({ inputs: [archives], config, timezone: 'UTC', openSource: openLocal, sinks: [single], concurrency: 2, logger: silentLogger });
    // Without the crashed run's output: the first run and the rerun alone give every figure.
    const latest = latestVersions(first.events, rerun.events);
    const expected = single.events.filter((e) => e.event.summary !== 'run');
    expect([...latest.values()].map(comparable).sort(byId)).toEqual(expected.map(comparable).sort(byId));
  });

  test('files a crashed commit left behind are ignored, then swept', async () => {
    writeArchive(archives, 'a1.ndjson', A1);
    await runWithState();
    // What a commit that died after publishing, before its manifest, leaves: unreferenced files.
    writeFileSync(path.join(stateDir, 'days', 'acme', '2024-03-01.2-deadbeef.agg.json'), 'half written');
    mkdirSync(path.join(stateDir, 'staging-deadbeef'));
    writeFileSync(path.join(stateDir, 'staging-deadbeef', 'work-1.ids'), 'x');
    writeArchive(archives, 'a2.ndjson', A2);
    const next = await runWithState();
    expect(next.outcome.exitCode).toBe(0);
    expect(existsSync(path.join(stateDir, 'days', 'acme', '2024-03-01.2-deadbeef.agg.json'))).toBe(false);
    expect(existsSync(path.join(stateDir, 'staging-deadbeef'))).toBe(false);
    const manifest = JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8'));
    const referenced = new Set<string>(manifest.days.flatMap((d: any) => [d.aggregate, d.logIds]).concat(manifest.objects.file));
    const stored = Object.keys(snapshot(stateDir)).filter((name) => name.startsWith('days/') || name.startsWith('objects/'));
    expect(stored.sort()).toEqual([...referenced].sort());
  });
});

const byId = (a: any, b: any) => (a.event.summary_id < b.event.summary_id ? -1 : 1);

describe('two runs against one state', () => {
  test('the second is refused while the first holds the lock, and writes nothing', async () => {
    writeArchive(archives, 'a1.ndjson', A1);
    const holder = await RunState.open({ location: stateDir, timezone: 'UTC', config, logger: silentLogger });
    const output = path.join(dir, 'out.ndjson');
    const refused = await runCli(['run', '--input', archives, '--state', stateDir, '--output', output, '--log-format', 'json']);
    expect(refused.code).toBe(1);
    expect(closingLine(refused.stderr)).toMatchObject({ level: 'error', code: 'ERR_STATE_LOCKED', exit_code: 1 });
    expect(closingLine(refused.stderr).msg).toMatch(new RegExp(`^the state ${stateDir} is in use by another run \\(host ${os.hostname()}, pid ${process.pid}, since `));
    expect(existsSync(output)).toBe(false);
    await holder.release();
    const later = await runCli(['run', '--input', archives, '--state', stateDir, '--output', output, '--log-format', 'json']);
    expect(later.code).toBe(0);
  });

  test('a lock left by a run that stopped heartbeating is taken over, with a warning', async () => {
    mkdirSync(stateDir);
    const old = new Date(Date.now() - 2 * 3600_000);
    writeFileSync(path.join(stateDir, 'lock.json'), JSON.stringify({ token: 't', host: 'pod-1', pid: 7, acquiredAt: old.toISOString(), heartbeatAt: old.toISOString() }));
    utimesSync(path.join(stateDir, 'lock.json'), old, old);
    writeArchive(archives, 'a1.ndjson', A1);
    const result = await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--no-table', '--log-format', 'json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/"host":"pod-1".*"msg":"took over a stale state lock"/);
    expect(existsSync(path.join(stateDir, 'lock.json'))).toBe(false);
  });
});

describe('a run killed outright on another host (a pod OOM-killed; the next pod has a new hostname)', () => {
  test('the next run waits at most the lock expiry, takes the lock over, and its figures equal an uninterrupted run\'s', async () => {
    writeArchive(archives, 'a1.ndjson', A1);
    writeArchive(archives, 'a2.ndjson', A2);
    const uninterruptedState = path.join(dir, 'uninterrupted-state');
    const uninterrupted = await runCli(['run', '--input', archives, '--state', uninterruptedState, '--output', path.join(dir, 'uninterrupted.ndjson'), '--no-table']);
    expect(uninterrupted.code).toBe(0);

    // The lock as the killed run left it: written by its last heartbeat a moment ago, then never again.
    mkdirSync(stateDir);
    const at = new Date().toISOString();
    writeFileSync(path.join(stateDir, 'lock.json'), JSON.stringify({ token: 'killed', host: 'auth0-usage-29001234-x7k2p', pid: 1, acquiredAt: at, heartbeatAt: at }));
    const output = path.join(dir, 'out.ndjson');
    // An expiry of 0.02 minutes (1.2 s) stands for the default 2 minutes.
    const result = await runCli(['run', '--input', archives, '--state', stateDir, '--output', output, '--no-table', '--log-format', 'json', '--lock-expiry-minutes', '0.02'], {
      HOSTNAME: 'auth0-usage-29001235-q9z4m',
    });
    expect(result.code).toBe(0);
    const logs = readNdjson(result.stderr);
    const waited = logs.find((line) => line.msg?.startsWith('the state is locked; waiting'));
    const tookOver = logs.find((line) => line.msg === 'took over a stale state lock');
    expect(waited.owner.host).toBe('auth0-usage-29001234-x7k2p');
    expect(tookOver.owner.token).toBe('killed');
    // Its heartbeat is fresh, so it is watched: taken over once unchanged for the expiry (the fake-clock unit tests
    // show the wait is exactly that), by a run of another host.
    expect(Date.parse(waited.takenOverBy)).toBeGreaterThan(Date.parse(at));
    expect(existsSync(path.join(stateDir, 'lock.json'))).toBe(false);
    const figures = (file: string) => [...latestVersions(readNdjson(readFileSync(file, 'utf8'))).values()].map(comparable);
    expect(figures(output)).toEqual(figures(path.join(dir, 'uninterrupted.ndjson')));
    expect(figures(output).length).toBeGreaterThan(0);
  });

  test('--lock-stale-minutes, the former name, still sets the expiry', async () => {
    writeArchive(archives, 'a1.ndjson', A1);
    mkdirSync(stateDir);
    const at = new Date().toISOString();
    writeFileSync(path.join(stateDir, 'lock.json'), JSON.stringify({ token: 'killed', host: 'pod-1', pid: 1, acquiredAt: at, heartbeatAt: at }));
    const result = await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--no-table', '--log-format', 'json', '--lock-stale-minutes', '0.01']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/"msg":"took over a stale state lock"/);
  });
});

describe('a state that cannot be used exits 2 and is left as it was', () => {
  async function refused(args: string[], message: RegExp) {
    const before = snapshot(stateDir);
    const output = path.join(dir, 'out.ndjson');
    const quarantine = path.join(dir, 'quarantine.ndjson');
    const result = await runCli(['run', '--input', archives, '--state', stateDir, '--output', output, '--quarantine', quarantine, '--log-format', 'json', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(stateDir)).toEqual(before);
    expect(existsSync(output)).toBe(false);
    expect(existsSync(quarantine)).toBe(false);
  }

  beforeEach(() => writeArchive(archives, 'a1.ndjson', A1));

  test('a folder of other files', async () => {
    mkdirSync(stateDir);
    writeFileSync(path.join(stateDir, 'notes.txt'), 'mine');
    await refused([], /is not an auth0-usage state \(it holds notes.txt and no manifest.json\)/);
    const status = await runCli(['status', '--state', stateDir]);
    expect([status.code, status.stderr]).toEqual([2, expect.stringMatching(/is not an auth0-usage state/)]);
  });

  test('a file where the folder should be', async () => {
    writeFileSync(stateDir, 'not a folder');
    const result = await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--log-format', 'json']);
    expect([result.code, oneLineMessage(result.stderr)]).toEqual([2, `--state ${stateDir} is not a folder`]);
    expect(readFileSync(stateDir, 'utf8')).toBe('not a folder');
  });

  test('a file on the path to the folder', async () => {
    writeFileSync(stateDir, 'not a folder');
    const below = path.join(stateDir, 'state');
    const result = await runCli(['run', '--input', archives, '--state', below, '--output', '/dev/null', '--log-format', 'json']);
    // Not `… is not a folder` of a path that does not exist: the file above it is what to fix.
    expect([result.code, oneLineMessage(result.stderr)]).toEqual([2, `--state ${below}: part of its folder path is a file`]);
    const status = await runCli(['status', '--state', below]);
    expect([status.code, status.stderr]).toEqual([2, `auth0-usage: --state ${below}: part of its folder path is a file\n`]);
    expect(readFileSync(stateDir, 'utf8')).toBe('not a folder');
  });

  test('a manifest that is not JSON, or not ours', async () => {
    mkdirSync(stateDir);
    writeFileSync(path.join(stateDir, 'manifest.json'), '{"format": "auth0-usage-state", ');
    await refused([], /the state .* is corrupt: its manifest.json is not JSON/);
    writeFileSync(path.join(stateDir, 'manifest.json'), '{"format": "terraform-state", "version": 4}');
    await refused([], /holds a manifest.json that is not an auth0-usage state/);
    writeFileSync(path.join(stateDir, 'manifest.json'), '{"format": "auth0-usage-state", "version": 9}');
    await refused([], /has format version 9; this auth0-usage reads version 1/);
  });

  test('an object list of a newer version is said to be a newer build\'s, not damage', async () => {
    expect((await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--no-table', '--log-format', 'json'])).code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8'));
    const list = path.join(stateDir, ...manifest.objects.file.split('/'));
    writeFileSync(list, gzipSync(JSON.stringify({ version: 4, objects: [] })));
    await refused([], /was written by a newer auth0-usage: its object list is version 4, and this auth0-usage reads up to version 3; run that version or a later one, and leave objects\/[^ ]+ as it is"/);
  });

  test('a manifest naming a file outside the state, or a day file that is missing', async () => {
    expect((await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--no-table', '--log-format', 'json'])).code).toBe(0);
    const file = path.join(stateDir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    const good = manifest.days[0].aggregate;
    manifest.days[0].aggregate = '../../etc/passwd';
    writeFileSync(file, JSON.stringify(manifest));
    await refused([], /is corrupt: manifest.json days.0.aggregate: is not a state file name/);
    manifest.days[0].aggregate = good;
    writeFileSync(file, JSON.stringify(manifest));
    rmSync(path.join(stateDir, ...good.split('/')));
    await refused([], new RegExp(`is incomplete: ${good.replace(/\./g, '\\.')} \\(acme 2024-03-01\\) is missing`));
  });

  test('another time zone or another classification config', async () => {
    expect((await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--no-table', '--log-format', 'json'])).code).toBe(0);
    await refused(['--timezone', 'Europe/Berlin'], /counts days in UTC; run with --timezone UTC or use another --state/);
    const custom = path.join(dir, 'custom.json');
    writeFileSync(custom, JSON.stringify({ categories: { login_success: ['s', 'ss'] } }));
    await refused(['--config', custom], /was built with another tenant, categories or nonBillableAudiences config/);
    // Quotas are not part of the classification: changing them is fine.
    writeFileSync(custom, JSON.stringify({ quotas: { active_users: 10 } }));
    expect((await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--config', custom, '--no-table', '--log-format', 'json'])).code).toBe(0);
  });

  test("another auth0.statsTimezone: the reconcile counts' days would not line up", async () => {
    expect((await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--no-table', '--log-format', 'json'])).code).toBe(0);
    const manifestFile = path.join(stateDir, 'manifest.json');
    expect(JSON.parse(readFileSync(manifestFile, 'utf8')).statsTimezone).toBe('UTC');
    const newYork = path.join(dir, 'new-york.json');
    writeFileSync(newYork, JSON.stringify({ auth0: { statsTimezone: 'America/New_York' } }));
    await refused(
      ['--config', newYork],
      /keeps Auth0 reconcile counts by days in UTC, not America\/New_York; set auth0.statsTimezone to UTC in the config, or use another --state/,
    );
    // A state committed before the zone was recorded takes the zone of its next run, and keeps it.
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    delete manifest.statsTimezone;
    writeFileSync(manifestFile, JSON.stringify(manifest));
    writeArchive(archives, 'a3.ndjson', [login(8, '2024-03-02T10:00:00Z', 'u8')]);
    expect((await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--config', newYork, '--no-table', '--log-format', 'json'])).code).toBe(0);
    expect(JSON.parse(readFileSync(manifestFile, 'utf8')).statsTimezone).toBe('America/New_York');
    await refused([], /keeps Auth0 reconcile counts by days in America\/New_York, not UTC/);
  });

  test('auth0.statsTimezone is one zone however it is spelled: recorded canonical, and an earlier spelling is still accepted', async () => {
    const output = path.join(dir, 'summaries.ndjson');
    const run = (config: string) => runCli(['run', '--input', archives, '--state', stateDir, '--output', output, '--config', config, '--no-table', '--log-format', 'json']);
    const manifestFile = path.join(stateDir, 'manifest.json');
    const recorded = () => JSON.parse(readFileSync(manifestFile, 'utf8')).statsTimezone;
    const zone = (name: string, statsTimezone: string) => {
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify({ auth0: { statsTimezone } }));
      return file;
    };
    // 'utc' in the config is the default zone, UTC: recorded as such, and a config that says UTC goes on with it.
    expect((await run(zone('lower-utc', 'utc'))).code).toBe(0);
    expect(recorded()).toBe('UTC');
    writeArchive(archives, 'a2.ndjson', [login(9, '2024-03-04T10:00:00Z', 'u9')]);
    expect((await run(zone('utc', 'UTC'))).code).toBe(0);
    expect(recorded()).toBe('UTC');
    // A state an earlier version committed with the zone as the config spelled it: the same zone, so not refused,
    // and the next commit records its one spelling.
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, statsTimezone: 'europe/paris' }));
    writeArchive(archives, 'a3.ndjson', [login(10, '2024-03-05T10:00:00Z', 'u10')]);
    expect((await run(zone('paris', 'Europe/Paris'))).code).toBe(0);
    expect(recorded()).toBe('Europe/Paris');
    // Another zone is still another zone.
    await refused(['--config', zone('berlin', 'europe/berlin')], /keeps Auth0 reconcile counts by days in Europe\/Paris, not Europe\/Berlin/);
  });

  test('a day file damaged on disk stops the run with exit 2 before anything is committed', async () => {
    expect((await runCli(['run', '--input', archives, '--state', stateDir, '--output', '/dev/null', '--no-table', '--log-format', 'json'])).code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8'));
    writeFileSync(path.join(stateDir, ...manifest.days[0].aggregate.split('/')), '{"version": 1');
    writeArchive(archives, 'a2.ndjson', [login(7, '2024-03-01T23:00:00Z', 'u7')]);
    const before = committedFiles();
    const output = path.join(dir, 'out.ndjson');
    const result = await runCli(['run', '--input', archives, '--state', stateDir, '--output', output, '--log-format', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the state .* is corrupt: days\/acme\/2024-03-01\..*\.agg\.json/);
    expect(committedFiles()).toEqual(before);
    expect(readNdjson(readFileSync(output, 'utf8')).map((e) => [e.event.summary, e.event.status])).toEqual([['run', 'failed']]);
  });
});
