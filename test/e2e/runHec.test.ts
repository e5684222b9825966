import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { HecReceiver } from '../support/hecReceiver';
import { closingLine, readNdjson, runCli } from '../support/cliRunner';

// The whole CLI against the protocol-faithful receiver over loopback, through the real splunk-logging client.
const FIXTURES = path.resolve(__dirname, '../../fixtures/e2e/archives');
const TOKEN = '5f0c8e4a-1d2b-4c3d-9e8f-a0b1c2d3e4f5';
let dir: string;
let receiver: HecReceiver;
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-hec-'));
  receiver = await HecReceiver.start({ token: TOKEN, allowedIndexes: ['auth0_usage', 'main'] });
});
afterEach(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

function args(extra: string[] = []) {
  return ['run', '--input', FIXTURES, '--timezone', 'America/New_York', '--hec-url', receiver.url, '--spool', path.join(dir, 'spool'), '--log-format', 'json', ...extra];
}

test('every summary reaches HEC exactly once, the run event last, and the file gets the same events', async () => {
  const output = path.join(dir, 'out.ndjson');
  const result = await runCli(args(['--output', output, '--hec-index', 'auth0_usage']), { SPLUNK_HEC_TOKEN: TOKEN });
  expect(result.code).toBe(0);
  const written = readNdjson(readFileSync(output, 'utf8'));
  const received = receiver.events();
  // 34 summaries worked out in fixtures/e2e/README.md, then the run event.
  expect(received).toHaveLength(35);
  expect(received.map((e) => e.event.summary_id)).toEqual(written.map((e) => e.event.summary_id));
  expect(new Set(received.slice(0, 34).map((e) => e.event.summary_id)).size).toBe(34);
  expect(received.every((e) => e.index === 'auth0_usage' && e.sourcetype === 'auth0:usage')).toBe(true);
  const run = received[34]!.event as Record<string, unknown>;
  expect([run.summary, run.status, run.hec_events_sent, run.hec_events_spooled]).toEqual(['run', 'ok', 34, 0]);
  expect(receiver.eventRequests().every((r) => r.headers.authorization === `Splunk ${TOKEN}`)).toBe(true);
  for (const text of [result.stdout, result.stderr, readFileSync(output, 'utf8')]) expect(text).not.toContain(TOKEN);
});

test('an --output that cannot be written (a full disk) fails the run: the run event HEC gets and the last log line say so', async () => {
  // /dev/full opens like any device and fails every write with ENOSPC.
  const result = await runCli(args(['--output', '/dev/full', '--no-table']), { SPLUNK_HEC_TOKEN: TOKEN });
  expect(result.code).toBe(1);
  const run = receiver.events().at(-1)!.event as Record<string, unknown>;
  expect([run.summary, run.status, run.error, run.error_code]).toEqual(['run', 'failed', 'cannot write /dev/full: ENOSPC', 'ERR_OUTPUT']);
  // Every stderr line is JSON (the log is, stderr not being a terminal); none says the run went well.
  const logLines = result.stderr.trim().split('\n').map((line) => JSON.parse(line));
  expect(logLines.filter((line) => line.status === 'ok')).toEqual([]);
  // Said once in the log ('run failed'), then as the closing line with its code.
  expect(logLines.filter((line) => String(line.err).includes('ENOSPC'))).toEqual([expect.objectContaining({ level: 'error', msg: 'run failed' })]);
  expect(logLines.at(-1)).toMatchObject({ level: 'error', msg: 'cannot write /dev/full: ENOSPC', code: 'ERR_OUTPUT', exit_code: 1 });
});

test('the token may come from AUTH0_USAGE_HEC_TOKEN and never shows in argv-driven output', async () => {
  const result = await runCli(args(['--no-table', '--log-level', 'debug']), { AUTH0_USAGE_HEC_TOKEN: TOKEN });
  expect(result.code).toBe(0);
  expect(receiver.events()).toHaveLength(35);
  expect(result.stderr).not.toContain(TOKEN);
});

test('a flag cannot carry the token', async () => {
  const result = await runCli([...args(), '--hec-token', TOKEN], { SPLUNK_HEC_TOKEN: TOKEN });
  expect(result.code).toBe(2);
  expect(result.stderr).not.toContain(TOKEN);
  expect(receiver.events()).toHaveLength(0);
});

test('a wrong token stops the run with exit 1 and names the HEC code', async () => {
  const wrong = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
  const result = await runCli(args(['--no-table']), { SPLUNK_HEC_TOKEN: wrong });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/code 4, Invalid token/);
  expect(result.stderr).not.toContain(wrong);
  expect(receiver.events()).toHaveLength(0);
});

test('with --state, runs stopped by a refused token spool only their run events: once fixed, each summary arrives once', async () => {
  const wrong = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
  const withState = (extra: string[]) => args(['--no-table', '--state', path.join(dir, 'state'), ...extra]);
  for (let night = 0; night < 2; night++) {
    const failed = await runCli(withState([]), { SPLUNK_HEC_TOKEN: wrong });
    expect(failed.code).toBe(1);
  }
  // Two failed nights: neither committed; their spool files hold their run events only.
  const spoolFiles = readdirSync(path.join(dir, 'spool')).filter((f) => f.startsWith('hec-'));
  expect(spoolFiles).toHaveLength(2);
  for (const file of spoolFiles) {
    expect(readNdjson(readFileSync(path.join(dir, 'spool', file), 'utf8')).map((e) => [e.event.summary, e.event.status])).toEqual([['run', 'failed']]);
  }
  const fixed = await runCli(withState([]), { SPLUNK_HEC_TOKEN: TOKEN });
  expect(fixed.code).toBe(0);
  // This run's 34 summaries (fixtures/e2e/README.md), the two failed runs' run events from the spool, its run event.
  const received = receiver.events();
  expect(received.map((e) => e.event.summary)).toEqual([...Array(34).fill(expect.not.stringMatching(/^run$/)), 'run', 'run', 'run']);
  expect(new Set(received.slice(0, 34).map((e) => e.event.summary_id)).size).toBe(34);
});

test('--hec-url without a token in the environment is a usage error', async () => {
  const result = await runCli(args());
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/SPLUNK_HEC_TOKEN/);
});

test('a busy HEC past the deadline spools everything (exit 3); the next run sends what of the spool it did not build again', async () => {
  receiver.injectAlways({ kind: 'busy', retryAfterSeconds: 0 });
  const first = await runCli(args(['--no-table', '--hec-deadline', '0.3']), { SPLUNK_HEC_TOKEN: TOKEN });
  expect(first.code).toBe(3);
  // 34 summaries (fixtures/e2e/README.md) and the run event.
  expect(closingLine(first.stderr)).toMatchObject({
    level: 'warn',
    msg: "not every event was delivered: 35 wait in the spool (this run's and earlier runs'), to be sent by the next run with the same --spool",
    spooled: 35,
    refused: 0,
    exit_code: 3,
  });
  expect(receiver.events()).toHaveLength(0);
  const spooled = readdirSync(path.join(dir, 'spool')).filter((f) => f.endsWith('.ndjson'));
  expect(spooled).toHaveLength(1);
  const spooledEvents = readNdjson(readFileSync(path.join(dir, 'spool', spooled[0]!), 'utf8'));
  expect(spooledEvents).toHaveLength(35);

  receiver.clearFaults();
  const second = await runCli(args(['--no-table']), { SPLUNK_HEC_TOKEN: TOKEN });
  expect(second.code).toBe(0);
  const received = receiver.events();
  // This run's 34 summaries supersede the spooled ones (same summary_ids): they go once; then the first run's run
  // event (partial), then this run's.
  expect(received).toHaveLength(36);
  expect(received.slice(0, 34).map((e) => e.event.summary_id).sort()).toEqual(spooledEvents.slice(0, 34).map((e) => e.event.summary_id).sort());
  expect(received.slice(34).map((e) => [e.event.summary, e.event.status])).toEqual([['run', 'partial'], ['run', 'ok']]);
  expect(readdirSync(path.join(dir, 'spool')).filter((f) => f.endsWith('.ndjson'))).toHaveLength(0);
});

test('without --state, a night whose token is refused and the fixed night after it: each summary reaches HEC once, with the latest figures', async () => {
  const wrong = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
  const failed = await runCli(args(['--no-table']), { SPLUNK_HEC_TOKEN: wrong });
  expect(failed.code).toBe(1);
  // Not committed anywhere, so everything is spooled: 34 summaries (fixtures/e2e/README.md) and the run event.
  const spoolFiles = readdirSync(path.join(dir, 'spool')).filter((f) => f.startsWith('hec-'));
  expect(spoolFiles).toHaveLength(1);
  expect(readNdjson(readFileSync(path.join(dir, 'spool', spoolFiles[0]!), 'utf8'))).toHaveLength(35);

  // By the next night one more login arrived: globex, 2024-03-11 (New York), a new user u11.
  const late = path.join(dir, 'late.ndjson');
  const logId = `${'90020240311150000000'.padEnd(54, '0')}99`;
  writeFileSync(late, `${JSON.stringify({ log_id: logId, data: { date: '2024-03-11T15:00:00.000Z', type: 's', client_id: 'g1', client_name: 'Globex Portal', hostname: 'globex.us.auth0.com', user_id: 'auth0|u11', log_id: logId } })}\n`);
  const fixed = await runCli(args(['--no-table', '--input', late]), { SPLUNK_HEC_TOKEN: TOKEN });
  expect(fixed.code).toBe(0);

  const received = receiver.events();
  const summaries = received.filter((e) => e.event.summary !== 'run');
  expect(summaries).toHaveLength(34);
  expect(new Set(summaries.map((e) => e.event.summary_id)).size).toBe(34);
  // The fixtures' globex 2024-03-11 day (logins 1, active users u9 u10, 4 events) plus the late login.
  const globexDay = summaries.find((e) => e.event.summary === 'daily' && e.event.tenant === 'globex' && e.event.day === '2024-03-11')!;
  expect([globexDay.event.logins, globexDay.event.active_users, globexDay.event.events]).toEqual([2, 3, 5]);
  // Both nights' run events: the failed one from the spool, then tonight's.
  expect(received.filter((e) => e.event.summary === 'run').map((e) => e.event.status)).toEqual(['failed', 'ok']);
  expect(readdirSync(path.join(dir, 'spool')).filter((f) => f.startsWith('hec-'))).toEqual([]);
});

test('an event HEC refuses is kept in the spool’s rejected file without --quarantine, and the run exits 3', async () => {
  // Each event its own request; the first is refused as too large even alone.
  receiver.inject({ kind: 'status', status: 413, body: '{"text":"Content too large","code":0}' });
  const result = await runCli(args(['--no-table', '--hec-batch-bytes', '1024']), { SPLUNK_HEC_TOKEN: TOKEN });
  expect(result.code).toBe(3);
  const rejectedFiles = readdirSync(path.join(dir, 'spool')).filter((f) => f.startsWith('rejected-'));
  expect(rejectedFiles).toHaveLength(1);
  const kept = readNdjson(readFileSync(path.join(dir, 'spool', rejectedFiles[0]!), 'utf8'));
  expect(kept).toHaveLength(1);
  // 34 summaries in all (fixtures/e2e/README.md): the refused first one is kept, the other 33 and the run event arrive.
  const received = receiver.events();
  expect(received).toHaveLength(34);
  expect(received.map((e) => e.event.summary_id)).not.toContain(kept[0].envelope.event.summary_id);
  const run = received.at(-1)!.event as Record<string, unknown>;
  expect([run.status, run.hec_events_rejected, run.hec_events_sent]).toEqual(['partial', 1, 33]);
  expect(result.stderr).toContain('rejected-');
  expect(closingLine(result.stderr)).toMatchObject({ level: 'warn', msg: 'not every event was delivered: 1 that HEC refused were set aside (see the warnings above)', refused: 1, exit_code: 3 });
});

test('the run holds the spool while it delivers: a lock left by a process that is gone is taken over, and none is left after', async () => {
  const spool = path.join(dir, 'spool');
  mkdirSync(spool);
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  const stamp = new Date().toISOString();
  writeFileSync(path.join(spool, 'lock.json'), JSON.stringify({ token: 'left-behind', host: os.hostname(), pid: gone, acquiredAt: stamp, heartbeatAt: stamp }));
  const result = await runCli(args(['--no-table']), { SPLUNK_HEC_TOKEN: TOKEN });
  expect(result.code).toBe(0);
  expect(receiver.events()).toHaveLength(35);
  expect(result.stderr).not.toContain('waiting for it');
  expect(readdirSync(spool)).toEqual([]);
});
