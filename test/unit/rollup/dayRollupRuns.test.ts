import type { LogRecord } from '../../../src/decode/logRecord';
import type { DailyEvent } from '../../../src/rollup/summaryEvent';
import { ObjectRollupStateError } from '../../../src/rollup/dayObjectRollup';
import { RollupOptionsError } from '../../../src/rollup/dayRollup';
import { API_AUDIENCE, logIdAt, makeRecord, MGMT_AUDIENCE, seededRandom, shuffled } from './rollupTestKit';
import { dailiesOf, eventsOf, META, RESIDENT_DAYS, runOf, StatelessRun } from './dayRollupKit';

describe('de-duplication', () => {
  const r1 = makeRecord({ type: 's', userId: 'u1' });
  const r2 = makeRecord({ type: 'seccft', clientId: 'c1', audience: API_AUDIENCE });
  const r3 = makeRecord({ type: 'f' });
  const r4 = makeRecord({ type: 'ss', userId: 'u4' });

  it('counts a log_id once across objects; repeats are duplicates', async () => {
    const run = await runOf([[r1, r2, r3], [{ ...r2 }, { ...r3 }, r4]]);
    expect(run.counters).toEqual({ records: 6, duplicates: 2, outOfRange: 0, dedupUnavailable: 0 });
    const [day] = dailiesOf(run.summaries);
    expect([day!.events, day!.logins, day!.m2m_tokens, day!.failed_logins, day!.signups]).toEqual([4, 1, 1, 1, 1]);
    expect(run.summaries).toEqual((await runOf([[r1, r2, r3, r4]])).summaries);
  });

  it("takes a decoder's log_id hash as the id itself, without reading logId", async () => {
    // FNV-1a 64 of r1's and r2's ids, as a decode thread sends them (worked with BigInt, below).
    const hashed = (record: LogRecord): LogRecord => {
      let hash = 0xcbf29ce484222325n;
      for (const unit of record.logId!) hash = ((hash ^ BigInt(unit.charCodeAt(0))) * 0x100000001b3n) & 0xffffffffffffffffn;
      const { logId: _unread, ...fields } = record;
      return Object.defineProperty({ ...fields, logIdHi: Number(hash >> 32n), logIdLo: Number(hash & 0xffffffffn) }, 'logId', {
        get: () => {
          throw new Error('logId read');
        },
      }) as LogRecord;
    };
    const run = await runOf([[r1, r2], [hashed(r1), hashed(r2), r3, hashed(r3)]]);
    expect(run.counters).toEqual({ records: 6, duplicates: 3, outOfRange: 0, dedupUnavailable: 0 });
    expect(run.summaries).toEqual((await runOf([[r1, r2, r3]])).summaries);
  });

  it('counts a repeat inside one object as a duplicate', async () => {
    const run = await runOf([[r1, { ...r1 }, { ...r1 }]]);
    expect(run.counters).toEqual({ records: 3, duplicates: 2, outOfRange: 0, dedupUnavailable: 0 });
    expect(dailiesOf(run.summaries)[0]!.events).toBe(1);
  });

  it('always counts records without a log_id', async () => {
    const anonymous = makeRecord({ type: 's', logId: null });
    const run = await runOf([[anonymous, { ...anonymous }], [{ ...anonymous }]]);
    expect(run.counters).toEqual({ records: 3, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 });
    expect(dailiesOf(run.summaries)[0]!.logins).toBe(3);
  });

  it('an aborted object of many days in no order reads each evicted day back once, not once a record', async () => {
    // Two days in memory at most; the object's records go round four days, so each record evicts the day it needs
    // next (an LRU of 2 over a cycle of 4). Releasing its claims day by day reads each of the four back once.
    const run = new StatelessRun({ residentLimit: 2, keepBehindDays: 0 });
    const days = ['2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04'];
    const records = Array.from({ length: 40 }, (_, i) => makeRecord({ type: 's', userId: `u${i}`, date: `${days[i % 4]}T10:00:00.000Z` }));
    const attempt = run.beginObject();
    for (const record of records) attempt.add(record);
    const before = run.store.stats.reloads;
    attempt.abort();
    // Two of the four days are resident when the abort starts (the last two written); the other two are read back.
    expect(run.store.stats.reloads - before).toBeLessThanOrEqual(days.length);
    // Every claim was released: the object read again counts each record once.
    run.feed([records]);
    expect(run.counters).toEqual({ records: 40, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 });
  });

  it('does not double count an object that is aborted and read again from the start', async () => {
    const run = new StatelessRun();
    const attempt = run.beginObject();
    attempt.add(r1);
    attempt.add(r2);
    attempt.abort();
    expect(run.counters).toEqual({ records: 0, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 });
    run.feed([[r1, r2, r3]]);
    expect(run.counters).toEqual({ records: 3, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 });
    expect(dailiesOf((await run.summarize()).summaries)[0]!.events).toBe(3);
  });

  it("releases an aborted object's ids even while another object holds a copy", async () => {
    const run = new StatelessRun();
    const first = run.beginObject();
    first.add(r1); // claims r1
    const second = run.beginObject();
    second.add({ ...r1 }); // duplicate of the claim above
    second.add(r4);
    second.commit();
    first.abort(); // the read failed: r1 is released...
    run.feed([[r1, r2]]); // ...and counted by the retry
    expect(run.counters).toEqual({ records: 4, duplicates: 1, outOfRange: 0, dedupUnavailable: 0 });
    const [day] = dailiesOf((await run.summarize()).summaries);
    expect([day!.events, day!.logins, day!.signups, day!.m2m_tokens]).toEqual([3, 1, 1, 1]);
  });

  it('counts only committed objects', async () => {
    const run = new StatelessRun();
    const open = run.beginObject();
    open.add(r1);
    expect(run.counters.records).toBe(0);
    const pass = await run.summarize();
    expect(pass.changedDays).toBe(0);
    expect(pass.summaries).toEqual([]);
    open.commit();
    expect(run.counters.records).toBe(1);
  });

  it('refuses to use a partial after commit or abort', () => {
    const run = new StatelessRun();
    const committed = run.beginObject();
    committed.commit();
    expect(() => committed.add(r1)).toThrow(ObjectRollupStateError);
    expect(() => committed.commit()).toThrow(ObjectRollupStateError);
    expect(() => committed.abort()).toThrow(ObjectRollupStateError);
    const aborted = run.beginObject();
    aborted.abort();
    expect(() => aborted.commit()).toThrow(ObjectRollupStateError);
  });
});

describe('--from / --to', () => {
  // Europe/Berlin in summer is UTC+2: local day D runs from (D-1)T22:00Z to DT22:00Z.
  const zone = { timezone: 'Europe/Berlin', from: '2024-06-01', to: '2024-06-02' };
  const early = makeRecord({ date: '2024-05-31T21:59:59.999Z' }); // 05-31 23:59:59.999 local
  const first = makeRecord({ date: '2024-05-31T22:00:00.000Z' }); // 06-01 00:00 local
  const last = makeRecord({ date: '2024-06-02T21:59:59.999Z' }); // 06-02 23:59:59.999 local
  const late = makeRecord({ date: '2024-06-02T22:00:00.000Z', type: 'zz_late_code' }); // 06-03 00:00 local

  it("releases an aborted object's out-of-range ids: read again, they are out of range, not duplicates", async () => {
    const run = new StatelessRun(zone);
    const attempt = run.beginObject();
    attempt.add(late);
    attempt.add(first);
    attempt.abort();
    run.feed([[late, first]]);
    // Only the committed read counts: `first` in range, `late` (06-03 local) out of it, and nothing seen twice.
    expect(run.counters).toEqual({ records: 2, duplicates: 0, outOfRange: 1, dedupUnavailable: 0 });
    expect(dailiesOf((await run.summarize()).summaries).map((d) => [d.day, d.events])).toEqual([['2024-06-01', 1]]);
  });

  it('summarizes only days in the range and counts the rest as out of range', async () => {
    const run = await runOf([[early, first, last, late, { ...late }]], zone);
    // The repeat of `late` is a duplicate, not a second out-of-range record.
    expect(run.counters).toEqual({ records: 5, duplicates: 1, outOfRange: 2, dedupUnavailable: 0 });
    expect(dailiesOf(run.summaries).map((d) => [d.day, d.events])).toEqual([['2024-06-01', 1], ['2024-06-02', 1]]);
    expect(run.pass.changedDays).toBe(2);
    // Out-of-range records are not summarized, so their types are not reported either.
    expect(run.unknownTypes).toEqual([]);
  });

  it('rejects options it cannot use', () => {
    expect(() => new StatelessRun({ timezone: 'Mars/Olympus' })).toThrow(RollupOptionsError);
    expect(() => new StatelessRun({ from: '2024-13-01' })).toThrow(RollupOptionsError);
    expect(() => new StatelessRun({ to: '2024-06-01T00:00' })).toThrow(RollupOptionsError);
    expect(() => new StatelessRun({ from: '2024-06-02', to: '2024-06-01' })).toThrow(RollupOptionsError);
  });
});

describe('unknown types', () => {
  it('lists every summarized type missing from the known list, sorted, once', async () => {
    const run = await runOf([
      ['zz_b', 's', 'zz_a', 'seccft', 'Z_upper'].map((type) => makeRecord({ type })),
      ['zz_a', 'sapi', 'token_quota_consumption_warning'].map((type) => makeRecord({ type, tenant: 'globex' })),
    ]);
    expect(run.unknownTypes).toEqual(['Z_upper', 'zz_a', 'zz_b']);
    const types = eventsOf(run.summaries, 'event_type').map((e) => (e as { type: string }).type);
    expect(types).toEqual(expect.arrayContaining(['zz_a', 'zz_b', 'Z_upper']));
  });
});

describe('order independence', () => {
  /** A varied run: 3 tenants, ~6 New York days around the autumn DST change, repeats spread over objects. */
  function generatedObjects(): LogRecord[][] {
    const random = seededRandom(99);
    const types = ['s', 's', 'ss', 'f', 'fp', 'fs', 'pwd_leak', 'seccft', 'seccft', 'seccft', 'feccft', 'sertft'];
    types.push('ferrt', 'sapi', 'zz_new_code');
    const start = Date.parse('2024-10-31T00:00:00Z');
    const records: LogRecord[] = [];
    for (let i = 0; i < 3000; i++) {
      const dateMs = start + Math.floor(random() * 6 * 86_400_000);
      const client = Math.floor(random() * 4);
      records.push({
        logId: random() < 0.05 ? null : logIdAt(dateMs, i),
        dateMs,
        type: types[Math.floor(random() * types.length)]!,
        tenant: ['acme', 'globex', 'initech'][Math.floor(random() * 3)]!,
        hostname: ['acme.eu.auth0.com', 'login.acme.com', ''][Math.floor(random() * 3)]!,
        clientId: `client-${client}`,
        clientName: random() < 0.2 ? '' : `Client ${client} v${Math.floor(random() * 3)}`,
        audience: random() < 0.3 ? MGMT_AUDIENCE : API_AUDIENCE,
        userId: random() < 0.1 ? '' : `auth0|${Math.floor(random() * 200)}`,
      });
    }
    const objects: LogRecord[][] = Array.from({ length: 6 }, () => []);
    records.forEach((record, i) => objects[i % 6]!.push(record));
    // Each object repeats some records of another (as overlapping exports do).
    for (let i = 0; i < 300; i++) {
      objects[Math.floor(random() * 6)]!.push({ ...records[Math.floor(random() * records.length)]! });
    }
    return objects;
  }

  it('gives the same summaries, counters and unknown types whatever the record and object order', async () => {
    const objects = generatedObjects();
    const timezone = 'America/New_York';
    const reference = await runOf(objects, { timezone });
    expect(reference.counters.duplicates).toBeGreaterThan(250); // repeats of null-id records are not duplicates
    const random = seededRandom(1234);
    // Every round but the first sends days through the scratch files: for being three days behind their
    // tenant's newest (records in random order jump back and forth), or beyond 4 or 1 resident days.
    const rounds = [{ residentLimit: RESIDENT_DAYS, keepBehindDays: Infinity }, { residentLimit: RESIDENT_DAYS }, { residentLimit: 4 }, { residentLimit: 1 }];
    for (const shape of rounds) {
      const reordered = shuffled(objects, random).map((records) => shuffled(records, random));
      const run = new StatelessRun({ timezone, ...shape });
      // Read two objects at a time, interleaving their records, committing in yet another order.
      for (let k = 0; k < reordered.length; k += 2) {
        const [a, b] = [run.beginObject(), run.beginObject()];
        const [recordsA, recordsB] = [reordered[k]!, reordered[k + 1]!];
        const longest = Math.max(recordsA.length, recordsB.length);
        for (let i = 0; i < longest; i++) {
          if (i < recordsB.length) b.add(recordsB[i]!);
          if (i < recordsA.length) a.add(recordsA[i]!);
        }
        b.commit();
        a.commit();
      }
      const pass = await run.summarize();
      expect(pass.summaries).toEqual(reference.summaries);
      expect(run.counters).toEqual(reference.counters);
      expect(run.rollup.unknownTypes()).toEqual(['zz_new_code']);
      expect(pass.changedDays).toBe(reference.pass.changedDays);
      // 3 tenants × 7 local days fit in 32 resident days.
      expect(run.store.stats.evictions > 0).toBe(shape !== rounds[0]);
    }
  });

  it('keeps records, duplicates, out-of-range and summarized events consistent', async () => {
    const objects = generatedObjects();
    const run = await runOf(objects, { timezone: 'America/New_York', from: '2024-11-01', to: '2024-11-04' });
    const dailies = dailiesOf(run.summaries);
    const summarized = dailies.reduce((sum, d) => sum + d.events, 0);
    const { records, duplicates, outOfRange } = run.counters;
    expect(records).toBe(objects.reduce((sum, o) => sum + o.length, 0));
    expect(outOfRange).toBeGreaterThan(0);
    expect(duplicates + outOfRange + summarized).toBe(records);
    expect(dailies.every((d) => d.day >= '2024-11-01' && d.day <= '2024-11-04')).toBe(true);
  });

  it('differs between runs only in generated_at and run_id', async () => {
    const objects = generatedObjects();
    const first = (await runOf(objects)).summaries;
    const later = { ...META, runId: 'run-2', generatedAt: '2025-01-01T00:00:00.000Z' };
    const second = (await runOf(objects, {}, later)).summaries;
    const strip = (list: typeof first) =>
      list.map(({ event, ...envelope }) => ({ ...envelope, event: { ...event, run_id: '', generated_at: '' } }));
    expect(strip(second)).toEqual(strip(first));
    expect(second.every((s) => (s.event as DailyEvent).run_id === 'run-2')).toBe(true);
  });
});
