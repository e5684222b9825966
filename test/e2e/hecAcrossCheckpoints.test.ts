import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HecReceiver, type IndexedEnvelope } from '../support/hecReceiver';
import { readNdjson, runCli } from '../support/cliRunner';
import { comparable, latestVersions, login, writeArchive } from '../unit/state/stateTestKit';

// A --state run delivers and commits in parts (checkpoints). Through the built CLI and the HEC receiver: the
// latest copy of every summary that reaches HEC equals a single run's, when every part is delivered, and when
// HEC refuses the token halfway and the next night sends the rest.
const GENERATOR = path.resolve(__dirname, '../../scripts/generate-archives.js');
const TOKEN = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
/** Six days, two files a day: twelve objects, read one at a time in parts of three (four parts). */
const PARTS = ['--checkpoint-objects', '3', '--concurrency', '1'];
let dir: string;
let archives: string;
let single: Map<string, unknown>;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-hec-parts-'));
  archives = path.join(dir, 'archives');
  // 5 % of records written twice, some into the other file of their day: de-duplication spans parts.
  execFileSync(
    process.execPath,
    [GENERATOR, '--out', archives, '--days', '6', '--records', '80', '--seed', '11', '--files-per-day', '2', '--format', 'ndjson', '--no-gzip', '--duplicates', '0.05'],
    { stdio: 'ignore' },
  );
  const output = path.join(dir, 'single.ndjson');
  const result = await runCli(['run', '--input', archives, '--output', output, '--no-table', '--log-format', 'json']);
  expect(result.code).toBe(0);
  single = latestOf(readNdjson(readFileSync(output, 'utf8')) as IndexedEnvelope[]);
  // daily, event_type, active_users, coverage… for 2 tenants × 6 days: far more than one part's worth.
  expect(single.size).toBeGreaterThan(40);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** summary_id → the newest copy's event without generated_at and run_id (envelope fields HEC adds left out). */
function latestOf(...runs: IndexedEnvelope[][]): Map<string, unknown> {
  const latest = latestVersions(...runs.map((events) => events.map((e) => ({ event: e.event as never }))));
  return new Map([...latest].map(([id, e]) => [id, (comparable(e) as { event: unknown }).event]));
}

function run(receiver: HecReceiver, stateDir: string) {
  return runCli(
    ['run', '--input', archives, '--state', stateDir, '--spool', path.join(dir, 'spool'), '--hec-url', receiver.url, '--no-table', '--log-format', 'json', ...PARTS],
    { SPLUNK_HEC_TOKEN: TOKEN },
  );
}

test('every part delivered: the latest copy of each summary on HEC is the single run’s', async () => {
  const receiver = await HecReceiver.start({ token: TOKEN });
  try {
    const stateDir = path.join(dir, 'state-whole');
    const result = await run(receiver, stateDir);
    expect(result.code).toBe(0);
    // 12 objects in parts of 3: three checkpoint commits, then the last part's: generation 4.
    expect(JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8')).generation).toBe(4);
    const events = receiver.events();
    const runEvents = events.filter((e) => e.event.summary === 'run');
    expect(runEvents).toHaveLength(1);
    expect(runEvents[0]!.event).toMatchObject({ status: 'ok', objects: 12, hec_events_spooled: 0 });
    expect(latestOf(events)).toEqual(single);
  } finally {
    await receiver.close();
  }
});

test('HEC refuses the token in the second part: exit 1, and the next run completes the latest copies', async () => {
  const stateDir = path.join(dir, 'state-refused');
  const first = await HecReceiver.start({ token: TOKEN });
  const { port } = first;
  let firstEvents: IndexedEnvelope[];
  try {
    // The first part's summaries pass; every event POST after that is refused as an invalid token.
    first.inject({ kind: 'pass' }, 1);
    first.injectAlways({ kind: 'status', status: 403, body: JSON.stringify({ text: 'Invalid token', code: 4 }), contentType: 'application/json' });
    const result = await run(first, stateDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HEC rejected the token: code 4, Invalid token/);
    firstEvents = first.events();
    expect(firstEvents.length).toBeGreaterThan(0);
    // Only part of the summaries got through.
    expect(latestOf(firstEvents).size).toBeLessThan(single.size);
  } finally {
    await first.close();
  }

  // The same HEC (URL) the next night: the first night's spooled run event is this job's to send.
  const second = await HecReceiver.start({ token: TOKEN, port });
  try {
    const result = await run(second, stateDir);
    expect(result.code).toBe(0);
    const secondEvents = second.events();
    // The state kept the first part: the second run does not read all twelve objects again.
    const runEvent = secondEvents.find((e) => e.event.summary === 'run')!.event;
    expect(runEvent.objects).toBeLessThan(12);
    // Across both nights, Splunk's "latest per summary_id" is exactly the single run's figures.
    expect(latestOf(firstEvents, secondEvents)).toEqual(single);
  } finally {
    await second.close();
  }
});

test('a night in parts sends none of the spooled summaries it rebuilt, also those rebuilt after its first checkpoint', async () => {
  const nights = path.join(dir, 'nights');
  const stateDir = path.join(nights, 'state');
  const spool = path.join(nights, 'spool');
  // Night 1: 1 and 2 March; HEC busy the whole night, so every summary is spooled (and the state committed).
  const first = writeArchive(path.join(nights, 'first'), 'a.ndjson', [login(1, '2024-03-01T10:00:00Z', 'u1'), login(2, '2024-03-02T10:00:00Z', 'u2')]);
  // Night 2, read in parts of one object: 3 March first, then a late login of 1 March in the second part.
  const newDay = writeArchive(path.join(nights, 'new'), 'b.ndjson', [login(3, '2024-03-03T10:00:00Z', 'u3')]);
  const late = writeArchive(path.join(nights, 'late'), 'c.ndjson', [login(4, '2024-03-01T11:00:00Z', 'u4')]);
  const night = (receiver: HecReceiver, inputs: string[], extra: string[]) =>
    runCli(
      ['run', ...inputs.flatMap((input) => ['--input', input]), '--state', stateDir, '--spool', spool, '--hec-url', receiver.url, '--no-table', '--log-format', 'json', '--checkpoint-objects', '1', '--concurrency', '1', ...extra],
      { SPLUNK_HEC_TOKEN: TOKEN },
    );

  const runIdOf = (stderr: string): string => JSON.parse(stderr.split('\n').find((line) => line.includes('"run_id"'))!).run_id;

  const down = await HecReceiver.start({ token: TOKEN });
  const { port } = down;
  let firstRun: string;
  try {
    down.injectAlways({ kind: 'busy' });
    const result = await night(down, [first], ['--hec-deadline', '0.3']);
    expect(result.code).toBe(3);
    firstRun = runIdOf(result.stderr);
  } finally {
    await down.close();
  }

  // The same HEC (URL), up again: night 1's spool is this job's to send.
  const up = await HecReceiver.start({ token: TOKEN, port });
  try {
    const result = await night(up, [first, newDay, late], []);
    expect(result.code).toBe(0);
    const events = up.events();
    const secondRun = runIdOf(result.stderr);
    const sentBy = (runId: string) => new Set(events.filter((e) => e.event.run_id === runId && e.event.summary !== 'run').map((e) => String(e.event.summary_id)));
    const resent = sentBy(firstRun);
    const rebuilt = sentBy(secondRun);
    const dailyId = (day: string) => String(events.find((e) => e.event.summary === 'daily' && e.event.day === day)!.event.summary_id);
    // Night 2 rebuilt 1 March (its late login) in its second part: the spooled copies of those summaries stay unsent.
    expect(rebuilt).toContain(dailyId('2024-03-01'));
    expect([...resent].filter((id) => rebuilt.has(id))).toEqual([]);
    // What it did resend is night 1's 2 March, which night 2 did not build again.
    expect(resent).toContain(dailyId('2024-03-02'));
    expect(rebuilt).not.toContain(dailyId('2024-03-02'));
    // The latest daily of 1 March counts both logins.
    const dailies = events.filter((e) => e.event.summary === 'daily' && e.event.day === '2024-03-01');
    expect(dailies.map((e) => [e.event.run_id, e.event.logins])).toEqual([[secondRun, 2]]);
  } finally {
    await up.close();
  }
});

