import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { collectedPass, StatelessRun } from './dayRollupKit';
import { DayAggregate } from '../../../src/rollup/dayAggregate';
import { CATEGORY_BIT } from '../../../src/rollup/categoryLookup';
import { defaultConfig, makeRecord } from './rollupTestKit';
import type { SummaryMeta } from '../../../src/rollup/summaryBuilder';

// A fleet of many small tenants: tens of thousands of tenant-days of a few records each, hundreds of thousands of
// summaries. What the run holds per tenant-day and does per summary must be what it needs, nothing twice.

const ROOT = path.resolve(__dirname, '../../..');

const META: SummaryMeta = { runId: 'r1', generatedAt: '2024-06-02T00:00:00.000Z', source: 'auth0-usage', sourcetype: 'auth0:usage' };

function fleet(): StatelessRun {
  const records = ['a', 'b', 'c'].flatMap((tenant) => [
    makeRecord({ tenant, hostname: `${tenant}.eu.auth0.com`, type: 's', userId: `auth0|${tenant}`, date: '2024-06-01T08:00:00.000Z' }),
    makeRecord({ tenant, hostname: `${tenant}.eu.auth0.com`, type: 'fp', date: '2024-06-02T09:30:00.000Z' }),
  ]);
  return new StatelessRun().feed([records]);
}

test('without fingerprints the pass emits the same summaries and computes no fingerprint (a run without state)', async () => {
  const withThem = await collectedPass({ store: fleet().store, timezone: 'UTC', config: defaultConfig, meta: META });
  const without = await collectedPass({ store: fleet().store, timezone: 'UTC', config: defaultConfig, meta: META, fingerprints: false });
  // 3 tenants × 2 days; each day: daily, one event_type, coverage, active_users and 2 quota summaries.
  expect(without.summaries).toHaveLength(3 * 2 * 6);
  expect(without.summaries).toEqual(withThem.summaries);
  // With them: active_users and the two quota metrics of each tenant-day.
  expect([...withThem.emitted.values()].map((keys) => Object.keys(keys).sort())).toEqual(Array(6).fill(['active_users', 'quota:active_users', 'quota:m2m_tokens_billable']));
  expect(without.emitted.size).toBe(0);
});

test("a day new to the run keeps the object's aggregate instead of a merged copy; a day with figures merges", () => {
  const run = new StatelessRun();
  const first = run.beginObject();
  first.add(makeRecord({ tenant: 'a', date: '2024-06-01T08:00:00.000Z' }));
  first.add(makeRecord({ tenant: 'b', date: '2024-06-01T08:00:00.000Z' }));
  const [a, b] = [...first.table.aggregates()];
  first.commit();
  const slotOf = (tenant: string) => run.store.slotsOf(tenant)[0]!;
  expect(run.store.work(slotOf('a')).delta).toBe(a);
  expect(run.store.work(slotOf('b')).delta).toBe(b);

  const second = run.beginObject();
  second.add(makeRecord({ tenant: 'a', type: 'fp', date: '2024-06-01T09:00:00.000Z' }));
  second.commit();
  const delta = run.store.work(slotOf('a')).delta;
  expect(delta).toBe(a);
  expect([delta.events, delta.eventTypes()]).toEqual([2, [['fp', 1], ['s', 1]]]);
});

test("records of interleaved tenants find their day's aggregate through the claimed slot: one look-up by tenant a tenant-day", () => {
  const run = new StatelessRun();
  const object = run.beginObject();
  // 4 tenants, 3 rounds: each record's tenant differs from the one before, so no one-entry cache answers it.
  for (let round = 0; round < 3; round++) {
    for (const tenant of ['a', 'b', 'c', 'd']) object.add(makeRecord({ tenant, date: `2024-06-01T0${round}:00:00.000Z` }));
  }
  // A record without a log_id has no slot to go through: it looks its aggregate up by tenant.
  object.add(makeRecord({ tenant: 'a', logId: null, date: '2024-06-01T05:00:00.000Z' }));
  expect(object.table.lookUps).toBe(4 + 1);
  // Their log_ids are claimed in one list for the object, not a list a tenant-day.
  expect(object.claimed.size).toBe(12);
  expect([...object.table.aggregates()].map((aggregate) => [aggregate.tenant, aggregate.events])).toEqual([['a', 4], ['b', 3], ['c', 3], ['d', 3]]);
  // Each tenant has one day in the object: its aggregate is held as it is, without a map by day.
  expect(object.table.dayMaps).toBe(0);
});

test("an object's table holds a tenant's one day as it is, and makes a map by day at its second day", () => {
  const run = new StatelessRun();
  const object = run.beginObject();
  for (const tenant of ['a', 'b', 'c']) object.add(makeRecord({ tenant, date: '2024-06-01T08:00:00.000Z' }));
  expect(object.table.dayMaps).toBe(0);
  object.add(makeRecord({ tenant: 'b', date: '2024-06-02T08:00:00.000Z' }));
  object.add(makeRecord({ tenant: 'b', date: '2024-06-01T09:00:00.000Z' }));
  object.add(makeRecord({ tenant: 'b', logId: null, date: '2024-06-03T09:00:00.000Z' }));
  expect(object.table.dayMaps).toBe(1);
  expect([...object.table.aggregates()].map((aggregate) => [aggregate.tenant, aggregate.day, aggregate.events])).toEqual([
    ['a', '2024-06-01', 1],
    ['b', '2024-06-01', 2],
    ['b', '2024-06-02', 1],
    ['b', '2024-06-03', 1],
    ['c', '2024-06-01', 1],
  ]);
});

test('without reconcile the pass emits the same summaries and gathers no reconcile inputs (a run without Auth0 statistics)', async () => {
  const withThem = await collectedPass({ store: fleet().store, timezone: 'UTC', config: defaultConfig, meta: META });
  const without = await collectedPass({ store: fleet().store, timezone: 'UTC', config: defaultConfig, meta: META, reconcile: false });
  expect(without.summaries).toEqual(withThem.summaries);
  // With them: each of the 3 tenants, its two days (a login on 06-01, a failed login on 06-02: no reconcile metric).
  expect([...withThem.reconcile.keys()]).toEqual(['a', 'b', 'c']);
  expect(withThem.reconcile.get('a')!.days).toEqual(['2024-06-01', '2024-06-02']);
  expect(without.reconcile.size).toBe(0);
});

test('abort releases the claims of interleaved tenant-days, each in its own day: a re-read counts every record again', () => {
  const run = new StatelessRun();
  const records = [0, 1, 2].flatMap((round) =>
    ['a', 'b', 'c', 'd'].map((tenant) => makeRecord({ tenant, date: `2024-06-0${1 + (round % 2)}T0${round}:00:00.000Z` })),
  );
  // Claimed in runs a, b, c, d, a, … (12 runs of one record), then a's again as the same object's duplicates.
  const first = run.beginObject();
  for (const record of [...records, records[0]!]) first.add(record);
  expect([first.claimed.size, first.counters.duplicates]).toEqual([12, 1]);
  first.abort();
  const again = run.beginObject();
  for (const record of records) again.add(record);
  expect([again.counters.records, again.counters.duplicates]).toEqual([12, 0]);
  again.commit();
  // a: 06-01 (rounds 0 and 2) and 06-02 (round 1).
  expect(run.store.slotsOf('a').map((slot) => [slot.day, run.store.work(slot).delta.events])).toEqual([['2024-06-01', 2], ['2024-06-02', 1]]);
});

test('changedSlots lists the tenant-days given records in this run, however many tenants, without sorting them', () => {
  const run = new StatelessRun();
  const object = run.beginObject();
  object.add(makeRecord({ tenant: 'b', date: '2024-06-02T08:00:00.000Z' }));
  object.add(makeRecord({ tenant: 'a', date: '2024-06-01T08:00:00.000Z' }));
  object.add(makeRecord({ tenant: 'b', date: '2024-06-01T08:00:00.000Z' }));
  // A record claimed by an aborted object leaves a slot without data: not changed.
  const aborted = run.beginObject();
  aborted.add(makeRecord({ tenant: 'c', date: '2024-06-01T08:00:00.000Z' }));
  aborted.abort();
  object.commit();
  // c's slot is there (tenants() lists it) but has no data, so it is not changed.
  expect([...run.store.changedSlots()].map((slot) => `${slot.tenant}/${slot.day}`).sort()).toEqual(['a/2024-06-01', 'b/2024-06-01', 'b/2024-06-02']);
  expect(run.store.tenants()).toEqual(['a', 'b', 'c']);
});

test("the store holds a tenant's one day as it is, and makes a map by day at its second day", () => {
  const run = new StatelessRun();
  const object = run.beginObject();
  for (let i = 0; i < 1000; i++) object.add(makeRecord({ tenant: `t${i}`, date: '2024-06-01T08:00:00.000Z' }));
  expect(run.store.dayMaps).toBe(0);
  object.add(makeRecord({ tenant: 't7', date: '2024-06-02T08:00:00.000Z' }));
  object.add(makeRecord({ tenant: 't7', date: '2024-06-01T09:00:00.000Z' }));
  object.commit();
  expect(run.store.dayMaps).toBe(1);
  expect(run.store.slotsOf('t7').map((slot) => [slot.day, run.store.work(slot).delta.events])).toEqual([['2024-06-01', 2], ['2024-06-02', 1]]);
  expect(run.store.slotsOf('t8').map((slot) => slot.day)).toEqual(['2024-06-01']);
  expect([...run.store.changedSlots()]).toHaveLength(1001);
});

test("a tenant-day's aggregate holds its one hostname and one client's one audience without a map for each", () => {
  // Measured in a child process (with --expose-gc) over the build: 20,000 aggregates of one M2M record each. With
  // a map for the hostname and one for the client's audiences, each took 1,718 bytes of heap; without, 1,391.
  const script = `
    const { DayAggregate } = require(${JSON.stringify(path.join(ROOT, 'dist', 'rollup', 'dayAggregate'))});
    const { CATEGORY_BIT } = require(${JSON.stringify(path.join(ROOT, 'dist', 'rollup', 'categoryLookup'))});
    const N = 20000;
    const range = { day: '2024-01-01', startMs: Date.UTC(2024, 0, 1), endMs: Date.UTC(2024, 0, 2) };
    const held = new Array(N);
    global.gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < N; i++) {
      held[i] = new DayAggregate('t' + i, range);
      held[i].add({ logId: null, dateMs: range.startMs + 1000, type: 'seccft', tenant: 't' + i, hostname: 'h.eu.auth0.com', clientId: 'c', clientName: 'S', audience: 'a', userId: '' }, CATEGORY_BIT.m2m_token, false);
    }
    global.gc();
    process.stdout.write(JSON.stringify({ bytes: (process.memoryUsage().heapUsed - before) / N, host: held[N - 1].host(), m2m: held[N - 1].m2m().length }));
  `;
  const result = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(result.stderr).toBe('');
  const { bytes, host, m2m } = JSON.parse(result.stdout) as { bytes: number; host: string; m2m: number };
  expect([host, m2m]).toEqual(['h.eu.auth0.com', 1]);
  expect(bytes).toBeLessThan(1550);
});

test('hostnames and audiences past the first of a day are counted, merged and stored as before', () => {
  const range = { day: '2024-06-01', startMs: Date.parse('2024-06-01T00:00:00.000Z'), endMs: Date.parse('2024-06-02T00:00:00.000Z') };
  const m2m = (hostname: string, clientId: string, audience: string) =>
    makeRecord({ tenant: 'a', hostname, type: 'seccft', clientId, clientName: `name ${clientId}`, audience, date: '2024-06-01T10:00:00.000Z' });
  const one = new DayAggregate('a', range);
  const flags = CATEGORY_BIT.m2m_token;
  one.add(m2m('b.example', 'c1', 'x'), flags, true);
  one.add(m2m('a.example', 'c1', 'y'), flags, false);
  one.add(m2m('b.example', 'c2', 'x'), flags, true);
  const two = new DayAggregate('a', range);
  two.add(m2m('a.example', 'c1', 'y'), flags, false);
  two.add(m2m('a.example', 'c1', 'x'), flags, true);
  const merged = one.clone().merge(two);
  // a.example 3, b.example 2; c1/x 2 tokens, c1/y 2, c2/x 1; billable: x's 3.
  expect(merged.host()).toBe('a.example');
  expect(merged.toScratchJSON().hostnames).toEqual([['a.example', 3], ['b.example', 2]]);
  expect(merged.m2m().map((b) => [b.clientId, b.audience, b.m2mTokens])).toEqual([['c1', 'x', 2], ['c1', 'y', 2], ['c2', 'x', 1]]);
  expect(merged.billableM2mTokens()).toBe(3);
  expect(DayAggregate.fromScratchJSON(merged.toScratchJSON()).toJSON()).toEqual(merged.toJSON());
  // A stored aggregate naming a hostname or a client's audience twice is refused.
  const json = merged.toScratchJSON();
  expect(() => DayAggregate.fromScratchJSON({ ...json, hostnames: [['a.example', 1], ['a.example', 2]] })).toThrow('duplicate hostname "a.example"');
  expect(() => DayAggregate.fromScratchJSON({ ...json, m2m: [json.m2m[0]!, json.m2m[0]!] })).toThrow('duplicate m2m bucket c1 x');
  // The same audience classified both ways is refused, the second audience of a client included.
  expect(() => merged.add(m2m('a.example', 'c1', 'y'), flags, true)).toThrow('audience y is classified both billable and not billable');
});
