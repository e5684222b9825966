import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, runCli } from '../support/cliRunner';
import { lockSpool } from '../../src/state/spoolLock';
import { API, comparable, kindOf, labels, latestVersions, login, MGMT, token, writeArchive } from '../unit/state/stateTestKit';

// Incremental runs over a folder that grows, as a nightly job sees it. Every figure below is worked out by hand
// from the records listed here (tenant acme, UTC days).
let dir: string;
let archives: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-state-runs-'));
  archives = path.join(dir, 'archives');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const L1 = login(1, '2024-03-01T10:00:00.000Z', 'u1');
const L2 = login(2, '2024-03-01T11:00:00.000Z', 'u2');
const L3 = token(3, '2024-03-01T12:00:00.000Z', 'c1', API);
const L4 = login(4, '2024-03-02T09:00:00.000Z', 'u1');
const L5 = token(5, '2024-03-02T09:30:00.000Z', 'c1', API);
const L6 = login(6, '2024-03-02T15:00:00.000Z', 'u3');
const L7 = login(7, '2024-03-03T08:00:00.000Z', 'u2');
const L8 = token(8, '2024-03-03T08:30:00.000Z', 'c2', MGMT);
const L9 = login(9, '2024-03-01T20:00:00.000Z', 'u9');
const L10 = login(10, '2024-04-15T10:00:00.000Z', 'u1');

async function run(name: string, extra: string[] = []) {
  const output = path.join(dir, `${name}.ndjson`);
  const result = await runCli(['run', '--input', archives, '--output', output, '--state', path.join(dir, 'state'), '--log-format', 'json', '--no-table', ...extra]);
  expect([name, result.code, result.stderr.includes('"level":"error"')]).toEqual([name, 0, false]);
  const events = readNdjson(readFileSync(output, 'utf8'));
  return { events, run: events.at(-1).event, stderr: result.stderr };
}

describe('a state over a growing folder', () => {
  let first: any;
  let second: any;
  let unchanged: any;
  let late: any;

  beforeAll(async () => {
    writeArchive(archives, 'a1.ndjson', [L1, L2, L3, L4, L5, L1, L10]);
    first = await run('first');
    writeArchive(archives, 'a2.ndjson', [L5, L6, L7, L8, L7]);
    second = await run('second');
    unchanged = await run('unchanged');
    writeArchive(archives, 'a3.ndjson', [L9]);
    late = await run('late');
  });

  test('the first run summarizes everything it read', () => {
    expect([first.run.objects, first.run.records, first.run.duplicates, first.run.days, first.run.summaries]).toEqual([1, 7, 1, 3, 22]);
    const au = kindOf(first.events, 'active_users').map((e) => [e.day, e.dau, e.mau_30d, e.mau_month, e.window_complete]);
    expect(au).toEqual([
      ['2024-03-01', 2, 2, 2, false],
      ['2024-03-02', 1, 2, 2, false],
      // [03-17, 04-15] and April 1..15 are covered by data from 03-01 on.
      ['2024-04-15', 1, 1, 1, true],
    ]);
  });

  test('the second run reads only the new archive and emits only what changed', () => {
    expect([second.run.objects, second.run.records, second.run.duplicates, second.run.days]).toEqual([1, 5, 2, 2]);
    expect(labels(second.events)).toEqual([
      'daily acme 2024-03-02',
      'event_type acme 2024-03-02 s',
      'coverage acme 2024-03-02',
      'active_users acme 2024-03-02',
      'quota acme 2024-03-02 active_users',
      'daily acme 2024-03-03',
      'm2m acme 2024-03-03 c2',
      'event_type acme 2024-03-03 s',
      'event_type acme 2024-03-03 seccft',
      'coverage acme 2024-03-03',
      'active_users acme 2024-03-03',
      'quota acme 2024-03-03 m2m_tokens_billable',
      'quota acme 2024-03-03 active_users',
    ]);
    // 03-02 merges the first run's L4 (09:00) and L5 (09:30) with L6 (15:00): minutes 540, 570, 900; hours 9 and 15;
    // the longest gap is the morning, minutes 0–539.
    expect(kindOf(second.events, 'coverage').map((c) => [c.day, c.records, c.hours_with_records, c.longest_gap_minutes, c.first_record, c.last_record])).toEqual([
      ['2024-03-02', 3, 2, 540, '2024-03-02T09:00:00.000Z', '2024-03-02T15:00:00.000Z'],
      // L7 08:00 and L8 08:30: minutes 480 and 510; the gap after 08:30 is minutes 511–1439 = 929.
      ['2024-03-03', 2, 1, 929, '2024-03-03T08:00:00.000Z', '2024-03-03T08:30:00.000Z'],
    ]);
    const daily = kindOf(second.events, 'daily').map((d) => [d.day, d.logins, d.active_users, d.m2m_tokens, d.m2m_tokens_billable, d.events]);
    expect(daily).toEqual([
      ['2024-03-02', 2, 2, 1, 1, 3],
      ['2024-03-03', 1, 1, 1, 0, 2],
    ]);
    expect(kindOf(second.events, 'quota').map((q) => [q.day, q.metric, q.used, q.projected_month_end])).toEqual([
      ['2024-03-02', 'active_users', 3, null], // distinct users: no projection
      ['2024-03-03', 'm2m_tokens_billable', 2, 21], // 2 × 31 / 3 = 20.67
      ['2024-03-03', 'active_users', 3, null],
    ]);
  });

  test('a rerun over unchanged input emits only its run event', () => {
    expect(unchanged.events).toHaveLength(1);
    expect([unchanged.run.objects, unchanged.run.records, unchanged.run.days, unchanged.run.summaries, unchanged.run.status]).toEqual([0, 0, 0, 0, 'ok']);
  });

  test('a late record re-emits its day and the later days whose windows depend on it, nothing else', () => {
    // --dedup-days 45 counts back from the newest day, 04-15: log_ids are kept from 03-02, so L9 (03-01) is
    // counted without the check against earlier runs, with a warning.
    expect([late.run.records, late.run.duplicates, late.run.dedup_unavailable]).toEqual([1, 0, 1]);
    expect(late.stderr).toMatch(/"tenant":"acme","day":"2024-03-01".*no longer kept/);
    expect(labels(late.events)).toEqual([
      'daily acme 2024-03-01',
      'event_type acme 2024-03-01 s',
      'coverage acme 2024-03-01',
      'active_users acme 2024-03-01',
      'quota acme 2024-03-01 active_users',
      'active_users acme 2024-03-02',
      'quota acme 2024-03-02 active_users',
      'active_users acme 2024-03-03',
      'quota acme 2024-03-03 active_users',
    ]);
    expect(kindOf(late.events, 'active_users').map((e) => [e.day, e.dau, e.mau_30d, e.mau_month])).toEqual([
      ['2024-03-01', 3, 3, 3],
      ['2024-03-02', 2, 4, 4],
      ['2024-03-03', 1, 4, 4],
    ]);
    const [before] = kindOf(first.events, 'daily');
    const [after] = kindOf(late.events, 'daily');
    expect([after.summary_id, after.logins, after.events]).toEqual([before.summary_id, 3, 4]);
    // Each run is a process of its own, started after the previous one ended: its generated_at is later.
    expect(after.generated_at > before.generated_at).toBe(true);
  });

  test('the latest version of every summary equals one run over everything, and the duplicates add up', async () => {
    const output = path.join(dir, 'single.ndjson');
    const single = await runCli(['run', '--input', archives, '--output', output, '--log-format', 'json', '--no-table']);
    expect(single.code).toBe(0);
    const all = readNdjson(readFileSync(output, 'utf8'));
    const latest = latestVersions(first.events, second.events, unchanged.events, late.events);
    const expected = all.filter((e) => e.event.summary !== 'run');
    expect(latest.size).toBe(expected.length);
    for (const e of expected) expect(comparable(latest.get(e.event.summary_id)!)).toEqual(comparable(e));
    const singleRun = all.at(-1).event;
    // L1 in a1, L5 in a2 (counted by the first run), L7 in a2.
    expect([singleRun.duplicates, first.run.duplicates + second.run.duplicates + unchanged.run.duplicates + late.run.duplicates]).toEqual([3, 3]);
  });

  test('status of a location with nothing in it says so, pointing at the path', async () => {
    const missing = path.join(dir, 'no-such-state');
    const status = await runCli(['status', '--state', missing, '--spool', path.join(dir, 'no-spool')]);
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n')[0]).toBe(`state      ${missing}: empty (no state, no run recorded): check the path if a run should have used it`);
  });

  test('status counts the spool beside a local --state by default, and not the events HEC refused for good', async () => {
    const state = path.join(dir, 'status-state');
    const spool = `${state}.spool`;
    mkdirSync(spool, { recursive: true });
    // Two events waiting (the sender resends hec-*.ndjson), three refused (rejected-*.ndjson, never resent).
    writeFileSync(path.join(spool, 'hec-night-1.ndjson'), '{"event":{"summary":"daily"}}\n{"event":{"summary":"run"}}\n');
    writeFileSync(path.join(spool, 'rejected-night-1.ndjson'), '{"reason":"r","envelope":{}}\n'.repeat(3));
    const status = await runCli(['status', '--state', state]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`spool      2 events waiting in ${spool} (1 file)\n           3 events HEC refused, kept in rejected-*.ndjson there (never resent)\n`);
  });

  test('status --spool without a state (runs without --state spool too): the spool lines alone', async () => {
    const spool = path.join(dir, 'stateless-spool');
    mkdirSync(spool, { recursive: true });
    // One event waiting, one refused for good.
    writeFileSync(path.join(spool, 'hec-night-2.ndjson'), '{"event":{"summary":"run"}}\n');
    writeFileSync(path.join(spool, 'rejected-night-2.ndjson'), '{"reason":"r","envelope":{}}\n');
    const status = await runCli(['status', '--spool', spool]);
    expect([status.code, status.stderr]).toEqual([0, '']);
    expect(status.stdout).toBe(`spool      1 event waiting in ${spool} (1 file)\n           1 event HEC refused, kept in rejected-*.ndjson there (never resent)\n`);
    // A folder named that is not there: said, not shown as an empty spool.
    const typo = await runCli(['status', '--spool', `${spool}-typo`]);
    expect([typo.code, typo.stdout]).toEqual([0, `spool      ${spool}-typo: no such folder: nothing waits there (check the path if a run should have spooled there)\n`]);
  });

  test('status names the run that holds the spool, and marks a lock left by a process that is gone as stale', async () => {
    const spool = path.join(dir, 'held-spool');
    const hold = await lockSpool(spool);
    const show = async () => (await runCli(['status', '--state', path.join(dir, 'no-such-state'), '--spool', spool])).stdout;
    try {
      expect(await show()).toMatch(new RegExp(`\\n {11}held by a run using it: host ${os.hostname()}, pid ${process.pid} since \\d{4}-\\S+, last heartbeat \\d{4}-\\S+Z\\n`));
    } finally {
      await hold.release();
    }
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const stamp = new Date().toISOString();
    writeFileSync(path.join(spool, 'lock.json'), JSON.stringify({ token: 'left', host: os.hostname(), pid: gone, acquiredAt: stamp, heartbeatAt: stamp }));
    expect(await show()).toContain(`held by a run using it: host ${os.hostname()}, pid ${gone} since ${stamp}, last heartbeat ${stamp} (stale: the next run takes it over)\n`);
  });

  test('status shows what the state holds', async () => {
    const status = await runCli(['status', '--state', path.join(dir, 'state'), '--spool', path.join(dir, 'no-spool')]);
    expect(status.code).toBe(0);
    const lines = status.stdout.split('\n');
    expect(lines[0]).toBe(`state      ${path.join(dir, 'state')} (format 1, days in UTC)`);
    expect(status.stdout).toMatch(/^objects {4}3 read \(/m);
    expect(status.stdout).toContain(`last run   ${late.run.run_id} `);
    expect(status.stdout).toMatch(/: ok, committed\n\s+1 object, 1 record, 0 duplicates, 1 unchecked, 1 day, 9 summaries\n/);
    expect(status.stdout).toMatch(/^lock {7}free$/m);
    expect(status.stdout).toMatch(/^spool {6}0 events waiting/m);
    expect(lines.slice(-3)).toEqual([
      'tenant  days  first       last        events  log_ids kept from',
      // 03-01: 4 events, 03-02: 3, 03-03: 2, 04-15: 1.
      'acme       4  2024-03-01  2024-04-15      10  2024-03-02',
      '',
    ]);
  });
});
