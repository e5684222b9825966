import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, runCli } from '../support/cliRunner';
import { API, kindOf, labels, login, token, writeArchive, type Rec } from '../unit/state/stateTestKit';

// 30-day and calendar-month active users across a month boundary, and quotas against configured limits.
// Worked by hand: the 30-day window of day D is [D-29, D]; February 2024 has 29 days.
let dir: string;
let config: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-state-windows-'));
  config = path.join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ quotas: { m2m_tokens_billable: 10, active_users: 4, tenants: { other: { active_users: 1000 } } } }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tokens = (from: number, count: number, date: string): Rec[] => Array.from({ length: count }, (_, i) => token(from + i, date, 'c1', API));
const JANUARY = [login(1, '2024-01-20T08:00:00Z', 'u1'), login(2, '2024-01-20T09:00:00Z', 'u2'), login(3, '2024-01-31T23:59:59Z', 'u3')];
const FEBRUARY = [
  login(4, '2024-02-01T00:00:00Z', 'u1'),
  ...tokens(10, 8, '2024-02-01T06:00:00Z'),
  login(5, '2024-02-18T12:00:00Z', 'u4'),
  login(6, '2024-02-19T12:00:00Z', 'u3'),
  login(7, '2024-02-19T13:00:00Z', 'u6'),
  ...tokens(20, 3, '2024-02-19T14:00:00Z'),
  login(30, '2024-02-01T10:00:00Z', 'u1', 'other'),
];

async function run(name: string, extra: string[] = []) {
  const output = path.join(dir, `${name}.ndjson`);
  const result = await runCli(['run', '--input', path.join(dir, 'archives'), '--config', config, '--output', output, '--no-table', '--log-format', 'json', ...extra]);
  expect(result.code).toBe(0);
  return readNdjson(readFileSync(output, 'utf8'));
}

const activeUsers = (events: any[]) => kindOf(events, 'active_users').map((e) => [e.tenant, e.day, e.dau, e.mau_30d, e.mau_month, e.window_complete]);
const quotas = (events: any[]) => kindOf(events, 'quota').map((q) => [q.tenant, q.day, q.metric, q.month, q.used, q.limit, q.percent_used, q.projected_month_end, q.threshold, q.window_complete]);

const FEBRUARY_ACTIVE_USERS = [
  ['acme', '2024-02-01', 1, 3, 1, false], // u1 u2 (01-20) u3 (01-31); the month so far: u1
  ['acme', '2024-02-18', 1, 4, 2, true], // [01-20, 02-18]: u1 u2 u3 u4; data from 01-20 covers both windows
  ['acme', '2024-02-19', 2, 4, 4, true], // [01-21, 02-19]: 01-20 left (u2 gone); u1 u3 u4 u6
  ['other', '2024-02-01', 1, 1, 1, false],
];
// window_complete: acme's data starts on 01-20, other's on 02-01; both reach back to February's 1st.
const FEBRUARY_QUOTAS = [
  ['acme', '2024-02-01', 'm2m_tokens_billable', '2024-02', 8, 10, 80, 232, 80, true],
  ['acme', '2024-02-01', 'active_users', '2024-02', 1, 4, 25, null, null, true],
  ['acme', '2024-02-18', 'm2m_tokens_billable', '2024-02', 8, 10, 80, 13, 80, true], // 8 × 29 / 18 = 12.9
  ['acme', '2024-02-18', 'active_users', '2024-02', 2, 4, 50, null, null, true],
  ['acme', '2024-02-19', 'm2m_tokens_billable', '2024-02', 11, 10, 110, 17, 100, true], // 11 × 29 / 19 = 16.8
  ['acme', '2024-02-19', 'active_users', '2024-02', 4, 4, 100, null, 100, true], // no projection of distinct users
  ['other', '2024-02-01', 'm2m_tokens_billable', '2024-02', 0, 10, 0, 0, null, true],
  ['other', '2024-02-01', 'active_users', '2024-02', 1, 1000, 0.1, null, null, true], // the tenant's own limit
];

test('one run: mau_30d across the month boundary, mau_month from the 1st, quotas and thresholds', async () => {
  writeArchive(path.join(dir, 'archives'), 'jan.ndjson', JANUARY);
  writeArchive(path.join(dir, 'archives'), 'feb.ndjson', FEBRUARY);
  const events = await run('single');
  expect(activeUsers(events)).toEqual([
    ['acme', '2024-01-20', 2, 2, 2, false],
    ['acme', '2024-01-31', 1, 3, 3, false],
    ...FEBRUARY_ACTIVE_USERS,
  ]);
  expect(quotas(events)).toEqual([
    // The data starts on 01-20, not the 1st: January's month to date may undercount.
    ['acme', '2024-01-20', 'm2m_tokens_billable', '2024-01', 0, 10, 0, 0, null, false],
    ['acme', '2024-01-20', 'active_users', '2024-01', 2, 4, 50, null, null, false],
    ['acme', '2024-01-31', 'm2m_tokens_billable', '2024-01', 0, 10, 0, 0, null, false],
    ['acme', '2024-01-31', 'active_users', '2024-01', 3, 4, 75, null, null, false],
    ...FEBRUARY_QUOTAS,
  ]);
  const quota = kindOf(events, 'quota')[0];
  expect(quota.summary_id).not.toBe(kindOf(events, 'quota')[1].summary_id); // the metric is part of the id
});

test('two runs: February’s windows reach back into the January the state remembers', async () => {
  writeArchive(path.join(dir, 'archives'), 'jan.ndjson', JANUARY);
  const state = ['--state', path.join(dir, 'state')];
  await run('january', state);
  writeArchive(path.join(dir, 'archives'), 'feb.ndjson', FEBRUARY);
  const february = await run('february', state);
  expect(activeUsers(february)).toEqual(FEBRUARY_ACTIVE_USERS);
  expect(quotas(february)).toEqual(FEBRUARY_QUOTAS);
  // January's figures do not depend on February: nothing of January is emitted again.
  expect(labels(february).filter((label) => label.includes('2024-01-'))).toEqual([]);
});

test('late data for the 1st of a 31-day month: the 31st’s active_users event carries the new mau_month', async () => {
  // The 31st is 30 days after the 1st, outside its 30-day window ([01-02, 01-31]) but inside its month.
  writeArchive(path.join(dir, 'archives'), 'jan.ndjson', [login(1, '2024-01-01T10:00:00Z', 'u1'), login(2, '2024-01-31T10:00:00Z', 'u2')]);
  const state = ['--state', path.join(dir, 'state')];
  const first = await run('first', state);
  expect(activeUsers(first)).toEqual([
    ['acme', '2024-01-01', 1, 1, 1, false], // its 30-day window starts 2023-12-03, before the data
    ['acme', '2024-01-31', 1, 1, 2, true], // window [01-02, 01-31]: u2; the month: u1 u2; data from the 1st
  ]);
  writeArchive(path.join(dir, 'archives'), 'late.ndjson', [login(3, '2024-01-01T11:00:00Z', 'u3')]);
  const late = await run('late', state);
  // 01-01 now has u1 u3; the 31st: window still u2 alone, the month u1 u2 u3 (as its active_users quota says).
  expect(activeUsers(late)).toEqual([
    ['acme', '2024-01-01', 2, 2, 2, false],
    ['acme', '2024-01-31', 1, 1, 3, true],
  ]);
  expect(quotas(late).filter((q) => q[2] === 'active_users').map((q) => [q[1], q[4]])).toEqual([
    ['2024-01-01', 2],
    ['2024-01-31', 3],
  ]);
});

test('a backfill of days before the state’s first day re-emits window_complete of every day whose windows it now covers', async () => {
  // First run: data from 01-15. 02-11's windows start on 01-13 (30 days) and 02-01 (month): 01-13 is not covered.
  writeArchive(path.join(dir, 'archives'), 'a.ndjson', [login(1, '2024-01-15T10:00:00Z', 'u1'), login(2, '2024-02-11T10:00:00Z', 'u2')]);
  const state = ['--state', path.join(dir, 'state')];
  const first = await run('first', state);
  expect(activeUsers(first).map((row) => [row[1], row[5]])).toEqual([
    ['2024-01-15', false],
    ['2024-02-11', false],
  ]);
  // The backfill brings 01-12: the data now reaches back past 01-13, and 02-11's window_complete becomes true (its
  // figures stay: 01-12 is outside both of its windows; 30 days: u1 u2, month: u2).
  writeArchive(path.join(dir, 'archives'), 'backfill.ndjson', [login(3, '2024-01-12T10:00:00Z', 'u3')]);
  const backfill = await run('backfill', state);
  const latest = new Map([...activeUsers(first), ...activeUsers(backfill)].map((row) => [row[1], row]));
  expect(latest.get('2024-02-11')).toEqual(['acme', '2024-02-11', 1, 2, 1, true]);
});

test('a day whose active_users alone was re-emitted keeps its quota versions: a later run does not send its unchanged quotas again', async () => {
  const state = ['--state', path.join(dir, 'state')];
  writeArchive(path.join(dir, 'archives'), 'a.ndjson', [login(1, '2024-01-20T10:00:00Z', 'u1'), login(2, '2024-02-05T10:00:00Z', 'u2')]);
  await run('first', state);
  // Late January data: 02-05's 30-day window [01-07, 02-05] gains u3, so its active_users is sent again; its quotas
  // (February's, month to date) are not looked at, since January changed.
  writeArchive(path.join(dir, 'archives'), 'b.ndjson', [login(3, '2024-01-20T11:00:00Z', 'u3')]);
  const second = await run('second', state);
  expect(labels(second).filter((label) => label.includes('2024-02-05'))).toEqual(['active_users acme 2024-02-05']);
  expect(activeUsers(second).find((row) => row[1] === '2024-02-05')).toEqual(['acme', '2024-02-05', 1, 3, 1, false]);
  // A new February day before it, by a user already active in February: 02-05's figures stay as they were (30 days:
  // u1 u3 u2; month: u2; no tokens), so nothing of 02-05 is sent, its quotas included.
  writeArchive(path.join(dir, 'archives'), 'c.ndjson', [login(4, '2024-02-01T10:00:00Z', 'u2')]);
  const third = await run('third', state);
  expect(labels(third).filter((label) => label.includes('2024-02-01')).length).toBeGreaterThan(0);
  expect(labels(third).filter((label) => label.includes('2024-02-05'))).toEqual([]);
});

test('m2m_tokens_billable quota counts from the 1st: January’s tokens are not carried into February', async () => {
  writeArchive(path.join(dir, 'archives'), 'a.ndjson', [...tokens(1, 5, '2024-01-31T12:00:00Z'), ...tokens(10, 2, '2024-02-02T12:00:00Z')]);
  const events = await run('one');
  expect(quotas(events).filter((q) => q[2] === 'm2m_tokens_billable')).toEqual([
    ['acme', '2024-01-31', 'm2m_tokens_billable', '2024-01', 5, 10, 50, 5, null, false], // 5 × 31 / 31; data from the 31st
    ['acme', '2024-02-02', 'm2m_tokens_billable', '2024-02', 2, 10, 20, 29, null, true], // 2 × 29 / 2; data from 01-31
  ]);
});

test('a quota whose month the data did not reach back to says so, and says so again once a backfill reaches its 1st', async () => {
  // First run: data from 02-05, so February's month to date may undercount (window_complete false).
  writeArchive(path.join(dir, 'archives'), 'a.ndjson', [login(1, '2024-02-05T10:00:00Z', 'u1'), ...tokens(10, 2, '2024-02-11T12:00:00Z'), login(2, '2024-02-11T10:00:00Z', 'u2')]);
  const state = ['--state', path.join(dir, 'state')];
  const first = await run('first', state);
  const monthToDate = (events: any[]) => quotas(events).map((q) => [q[1], q[2], q[4], q[9]]);
  expect(monthToDate(first)).toEqual([
    ['2024-02-05', 'm2m_tokens_billable', 0, false],
    ['2024-02-05', 'active_users', 1, false],
    ['2024-02-11', 'm2m_tokens_billable', 2, false],
    ['2024-02-11', 'active_users', 2, false],
  ]);
  // A backfill of 01-30 (January): February's figures do not change, but its data now reaches back past its 1st, so
  // each February quota is sent again, complete; January's own month starts on the 30th.
  writeArchive(path.join(dir, 'archives'), 'backfill.ndjson', [login(3, '2024-01-30T10:00:00Z', 'u3')]);
  const backfill = await run('backfill', state);
  expect(monthToDate(backfill)).toEqual([
    ['2024-01-30', 'm2m_tokens_billable', 0, false],
    ['2024-01-30', 'active_users', 1, false],
    ['2024-02-05', 'm2m_tokens_billable', 0, true],
    ['2024-02-05', 'active_users', 1, true],
    ['2024-02-11', 'm2m_tokens_billable', 2, true],
    ['2024-02-11', 'active_users', 2, true],
  ]);
});
