import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogRecord } from '../../../src/decode/logRecord';
import type { SummaryMeta } from '../../../src/rollup/summaryBuilder';
import { DayRollup } from '../../../src/rollup/dayRollup';
import { DayStore } from '../../../src/rollup/dayStore';
import { collectedPass } from './dayRollupKit';
import { configWith, logId } from '../state/stateTestKit';
import { seededRandom } from '../../support/seededRandom';

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

describe('input in random day order, or of many tenants, with the default bounds', () => {
  /** A login on day `index` after 2024-01-01 (any number of days). */
  const on = (n: number, index: number, tenant = 'acme'): LogRecord => {
    const date = new Date(Date.UTC(2024, 0, 1 + index, 12)).toISOString();
    return { logId: logId({ n, date }), dateMs: Date.parse(date), type: 's', tenant, hostname: `${tenant}.eu.auth0.com`, clientId: '', clientName: '', audience: '', userId: `u${n}` };
  };
  const shuffled = <T>(items: T[], random: () => number) => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  };
  const storeWith = (options: { residentBytes?: number } = {}) => {
    const store = new DayStore({ scratchDir: path.join(dir, `scratch-${Math.random()}`), ...options });
    return { store, rollup: new DayRollup({ config, timezone: 'UTC', store }) };
  };
  const oneByOne = (rollup: DayRollup, records: LogRecord[]) => {
    for (const r of records) feed(rollup, [r]);
  };

  test('120 days in random order are not read back record after record', async () => {
    const records = shuffled(Array.from({ length: 2400 }, (_, n) => on(n, n % 120)), seededRandom(7));
    const random = storeWith();
    oneByOne(random.rollup, records);
    // Only a new newest day pushes out days behind it, and a random order reaches its last days within its first
    // few dozen records: fewer read-backs than days (a cache of 32 days read back about 1 700 of the 2 400).
    expect(random.store.stats.reloads).toBeLessThan(120);
    const sorted = storeWith();
    oneByOne(sorted.rollup, [...records].sort((a, b) => a.dateMs - b.dateMs));
    expect(random.rollup.counters).toEqual({ records: 2400, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 });
    const figures = await dailies(random.store);
    expect(figures).toEqual(await dailies(sorted.store));
    // 2 400 logins of distinct users, n % 120 the day: 20 on each day.
    expect(figures.length).toBe(120);
    expect(figures.every(([, events, logins, users]) => events === 20 && logins === 20 && users === 20)).toBe(true);
    expect(figures.slice(0, 2)).toEqual([
      ['2024-01-01', 20, 20, 20],
      ['2024-01-02', 20, 20, 20],
    ]);
  });

  test('5 000 tenants of one day each, in random order, all stay in memory', () => {
    const records = shuffled(Array.from({ length: 15000 }, (_, n) => on(n, 0, `t${n % 5000}`)), seededRandom(11));
    const { store, rollup } = storeWith();
    oneByOne(rollup, records);
    // 5 000 working sets of 3 records: a 16-slot table and a few figures each, far below the default budget.
    expect(store.stats).toEqual({ resident: 5000, peakResident: 5000, evictions: 0, reloads: 0 });
    expect(rollup.counters.records).toBe(15000);
  });

  test('the working sets held stay within the byte budget, with the same figures', async () => {
    const records = shuffled(Array.from({ length: 2400 }, (_, n) => on(n, n % 120)), seededRandom(7));
    // Each of the 120 days ends with 20 records: a 64-slot table (16 doubled twice), 4 096 + 64 × 8 + 20 × 64 = 5 888 estimated bytes.
    const budget = 10 * 5888;
    const bounded = storeWith({ residentBytes: budget });
    let most = 0;
    for (const r of records) {
      feed(bounded.rollup, [r]);
      most = Math.max(most, bounded.store.residentBytes);
    }
    expect(most).toBeLessThanOrEqual(budget);
    expect(bounded.store.stats.peakResident).toBeGreaterThanOrEqual(10);
    const unbounded = storeWith();
    oneByOne(unbounded.rollup, records);
    expect(await dailies(bounded.store)).toEqual(await dailies(unbounded.store));
  });
});

describe('the order of resident working sets', () => {
  const day = { day: '2024-03-01', startMs: Date.parse('2024-03-01T00:00:00Z'), endMs: Date.parse('2024-03-02T00:00:00Z') };
  const emptyDayBytes = 4096 + 16 * 8; // a new day: BYTES_PER_DAY and a 16-slot table, no ids yet

  test('a slot touched again while in the newest half of the order stays in place', () => {
    const store = new DayStore({ scratchDir: path.join(dir, 'scratch') });
    const slots = Array.from({ length: 1000 }, (_, t) => store.slot(`t${t}`, day));
    for (const slot of slots) store.work(slot); // 1 000 moves to the newest end, t999 last
    // Backwards: t999 is the one in use (answered at once); t998 … t500 had fewer than 500 slots put after them, so
    // they stay; t499 is the 500th from the end and moves, after which every earlier one has more than 500 after it.
    for (const slot of [...slots].reverse()) store.work(slot);
    expect(store.touchesInPlace).toBe(499);
    expect(store.stats).toEqual({ resident: 1000, peakResident: 1000, evictions: 0, reloads: 0 });
  });

  test('eviction never takes the slot just asked for, even one left in place', () => {
    const store = new DayStore({ scratchDir: path.join(dir, 'scratch'), residentBytes: 8 * emptyDayBytes });
    const slots = Array.from({ length: 8 }, (_, t) => store.slot(`t${t}`, day));
    for (const slot of slots) store.work(slot);
    expect(store.residentBytes).toBe(8 * emptyDayBytes);
    // The newest day grows far past the budget; it is measured when t6, left in place, is asked for.
    const grown = store.work(slots[7]!);
    for (let n = 0; n < 2000; n++) grown.ids.claim(logId({ n, date: '2024-03-01T12:00:00.000Z' }));
    const asked = store.work(slots[6]!);
    expect(store.touchesInPlace).toBe(1);
    expect(store.stats).toEqual({ resident: 1, peakResident: 8, evictions: 7, reloads: 0 });
    expect(store.finish(slots[6]!)).toBe(asked);
  });
});
