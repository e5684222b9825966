import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogRecord } from '../../../src/decode/logRecord';
import type { SummaryMeta } from '../../../src/rollup/summaryBuilder';
import { DayRollup } from '../../../src/rollup/dayRollup';
import { DayStore } from '../../../src/rollup/dayStore';
import { collectedPass } from './dayRollupKit';
import { configWith, logId } from '../state/stateTestKit';

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
  const pass = await collectedPass({ store, timezone: 'UTC', config, meta: META });
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

describe('days behind the newest day read', () => {
  // keepBehindDays is 2 by default: when day d of a tenant first gets a working set, its days before d - 2
  // go to scratch files, whatever the residentLimit.
  const walk = (rollup: DayRollup, from: number, to: number) => {
    for (let day = from; day <= to; day++) feed(rollup, [record(day * 10, day), record(day * 10 + 1, day)]);
  };

  test('a backfill walking forward holds three days, not residentLimit days', async () => {
    const { store, rollup } = setup(32);
    walk(rollup, 1, 10);
    // Days 4..10 each push out the day three before them: days 1..7 leave, 8, 9 and 10 stay.
    expect(store.stats).toEqual({ resident: 3, peakResident: 3, evictions: 7, reloads: 0 });
    const unbounded = new DayStore({ scratchDir: path.join(dir, 'scratch-all'), residentLimit: 32, keepBehindDays: Infinity });
    walk(new DayRollup({ config, timezone: 'UTC', store: unbounded }), 1, 10);
    expect(unbounded.stats).toEqual({ resident: 10, peakResident: 10, evictions: 0, reloads: 0 });
    expect(await dailies(store)).toEqual(await dailies(unbounded));
  });

  test('a day read back for a late record stays while its object is read, and leaves at the next new day', async () => {
    const { store, rollup } = setup(32);
    walk(rollup, 1, 6); // resident 4, 5, 6; evicted 1, 2, 3
    const late = rollup.beginObject();
    late.add(record(100, 1)); // day 1 read back
    walk(rollup, 7, 7); // day 7 pushes out day 4, not day 1: the late object still reads it
    late.add(record(101, 1)); // still resident: no second read
    late.add(record(10, 1)); // a repeat of day 1's first record, found in the ids read back
    late.commit();
    expect(store.stats).toEqual({ resident: 4, peakResident: 4, evictions: 4, reloads: 1 });
    walk(rollup, 8, 8); // pushes out day 5, and day 1, now that no object holds it
    expect(store.stats).toEqual({ resident: 3, peakResident: 4, evictions: 6, reloads: 1 });
    expect(rollup.counters.duplicates).toBe(1);
    expect((await dailies(store))[0]).toEqual(['2024-03-01', 4, 4, 4]);
  });

  test('one object holding many days keeps only its current day and the two before it', () => {
    const { store, rollup } = setup(32);
    const month = rollup.beginObject(); // an export of ten days in one file
    for (let day = 1; day <= 10; day++) for (const r of [record(day * 10, day), record(day * 10 + 1, day)]) month.add(r);
    // Days 4..10 each push out the day three before them, though the object is still being read.
    expect(store.stats).toEqual({ resident: 3, peakResident: 3, evictions: 7, reloads: 0 });
    month.commit(); // its figures go to every day: the evicted ones are read back (and evicted again when full)
    expect(rollup.counters).toEqual({ records: 20, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 });
  });

  test("one tenant's new days do not push out another tenant's", () => {
    const { store, rollup } = setup(32);
    walk(rollup, 1, 3);
    feed(rollup, [{ ...record(500, 1), tenant: 'zeta' }]);
    walk(rollup, 4, 5); // acme's days 1 and 2 leave; zeta's day 1 stays
    expect(store.stats).toEqual({ resident: 4, peakResident: 4, evictions: 2, reloads: 0 });
    expect(store.slotsOf('zeta').map((slot) => slot.day)).toEqual(['2024-03-01']);
  });
});
