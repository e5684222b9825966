import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogRecord } from '../../../src/decode/logRecord';
import type { SummaryMeta } from '../../../src/rollup/summaryBuilder';
import { DayRollup } from '../../../src/state/dayRollup';
import { DayStore } from '../../../src/state/dayStore';
import { runSummaryPass } from '../../../src/state/summaryPass';
import { configWith, logId } from './stateTestKit';

const META: SummaryMeta = { runId: 'r1', generatedAt: '2024-06-01T00:00:00.000Z', source: 's', sourcetype: 'st' };
const config = configWith();
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-daystore-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function record(n: number, day: number, user = `u${n}`): LogRecord {
  const date = `2024-03-${String(day).padStart(2, '0')}T12:00:00.000Z`;
  return { logId: logId({ n, date }), dateMs: Date.parse(date), type: 's', tenant: 'acme', hostname: 'acme.eu.auth0.com', clientId: '', clientName: '', audience: '', userId: user };
}

function setup(residentLimit: number) {
  const store = new DayStore({ scratchDir: path.join(dir, 'scratch'), residentLimit });
  return { store, rollup: new DayRollup({ config, timezone: 'UTC', store }) };
}

function feed(rollup: DayRollup, records: LogRecord[]) {
  const partial = rollup.beginObject();
  for (const r of records) partial.add(r);
  partial.commit();
}

async function dailies(store: DayStore) {
  const pass = await runSummaryPass({ store, timezone: 'UTC', config, meta: META });
  return pass.summaries.filter((s) => s.event.summary === 'daily').map((s) => s.event as any).map((d) => [d.day, d.events, d.logins, d.active_users]);
}

test('a day evicted to scratch files is read back whole when a late record reaches it', async () => {
  const { store, rollup } = setup(2);
  // Days 1..6 in order, then late records (one new, one repeat) for day 1, long evicted.
  for (let day = 1; day <= 6; day++) feed(rollup, [record(day * 10, day), record(day * 10 + 1, day)]);
  expect(store.stats.resident).toBe(2);
  expect(store.stats.evictions).toBe(4);
  feed(rollup, [record(10, 1), record(99, 1, 'u-late')]);
  expect(store.stats.reloads).toBe(1);
  expect(store.stats.peakResident).toBe(2);
  expect(rollup.counters).toEqual({ records: 14, duplicates: 1, outOfRange: 0, dedupUnavailable: 0 });
  expect(readdirSync(path.join(dir, 'scratch')).length).toBeGreaterThan(0);
  expect(await dailies(store)).toEqual([
    ['2024-03-01', 3, 3, 3],
    ['2024-03-02', 2, 2, 2],
    ['2024-03-03', 2, 2, 2],
    ['2024-03-04', 2, 2, 2],
    ['2024-03-05', 2, 2, 2],
    ['2024-03-06', 2, 2, 2],
  ]);
});

test('gives the same figures with one resident day as with all of them', async () => {
  const records = [1, 5, 2, 5, 3, 1, 4, 2].map((day, i) => record(i, day));
  const small = setup(1);
  const large = setup(100);
  for (const r of records) {
    feed(small.rollup, [r, { ...r }]);
    feed(large.rollup, [r, { ...r }]);
  }
  expect(small.store.stats.peakResident).toBe(1);
  expect(large.store.stats.peakResident).toBe(5);
  expect(small.rollup.counters).toEqual(large.rollup.counters);
  expect(small.rollup.counters.duplicates).toBe(8);
  expect(await dailies(small.store)).toEqual(await dailies(large.store));
});

test('an aborted object releases its claims even in days evicted meanwhile', async () => {
  const { store, rollup } = setup(1);
  const attempt = rollup.beginObject();
  attempt.add(record(1, 1));
  attempt.add(record(2, 2)); // evicts day 1, with record 1 claimed
  attempt.abort();
  feed(rollup, [record(1, 1), record(2, 2)]);
  expect(rollup.counters).toEqual({ records: 2, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 });
  expect(await dailies(store)).toEqual([
    ['2024-03-01', 1, 1, 1],
    ['2024-03-02', 1, 1, 1],
  ]);
});

test('records outside --from/--to are de-duplicated within the run but never stored', async () => {
  const store = new DayStore({ scratchDir: path.join(dir, 'scratch'), residentLimit: 4 });
  const rollup = new DayRollup({ config, timezone: 'UTC', from: '2024-03-02', store });
  const partial = rollup.beginObject();
  for (const r of [record(1, 1), record(1, 1), record(2, 2)]) partial.add(r);
  partial.commit();
  expect(partial.sawOutOfRange).toBe(true);
  expect(rollup.counters).toEqual({ records: 3, duplicates: 1, outOfRange: 1, dedupUnavailable: 0 });
  expect(store.slotsOf('acme').map((s) => s.day)).toEqual(['2024-03-02']);
});
