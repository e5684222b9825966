import type { LogRecord } from '../../../src/decode/logRecord';
import { ObjectRollupStateError } from '../../../src/rollup/objectRollup';
import type { DailyEvent } from '../../../src/rollup/summaryEvent';
import { RollupOptionsError, UsageRollup, type SummaryMeta } from '../../../src/rollup/usageRollup';
import {
  API_AUDIENCE,
  defaultConfig,
  logIdAt,
  makeRecord,
  MGMT_AUDIENCE,
  seededRandom,
  shuffled,
} from './rollupTestKit';

const META: SummaryMeta = {
  runId: 'run-1',
  generatedAt: '2024-12-01T00:00:00.000Z',
  source: 'auth0-usage',
  sourcetype: 'auth0:usage',
};

function newRollup(options: Partial<{ timezone: string; from: string; to: string }> = {}) {
  return new UsageRollup({ config: defaultConfig, timezone: 'UTC', ...options });
}

function feed(rollup: UsageRollup, objects: readonly (readonly LogRecord[])[]): UsageRollup {
  for (const records of objects) {
    const partial = rollup.beginObject();
    for (const record of records) partial.add(record);
    partial.commit();
  }
  return rollup;
}

const dailies = (rollup: UsageRollup) =>
  rollup.summaries(META).filter((s) => s.event.summary === 'daily').map((s) => s.event as DailyEvent);

describe('de-duplication', () => {
  const r1 = makeRecord({ type: 's', userId: 'u1' });
  const r2 = makeRecord({ type: 'seccft', clientId: 'c1', audience: API_AUDIENCE });
  const r3 = makeRecord({ type: 'f' });
  const r4 = makeRecord({ type: 'ss', userId: 'u4' });

  it('counts a log_id once across objects; repeats are duplicates', () => {
    const rollup = feed(newRollup(), [[r1, r2, r3], [{ ...r2 }, { ...r3 }, r4]]);
    expect(rollup.counters).toEqual({ records: 6, duplicates: 2, outOfRange: 0 });
    const [day] = dailies(rollup);
    expect([day.events, day.logins, day.m2m_tokens, day.failed_logins, day.signups]).toEqual([4, 1, 1, 1, 1]);
    expect(rollup.summaries(META)).toEqual(feed(newRollup(), [[r1, r2, r3, r4]]).summaries(META));
  });

  it('counts a repeat inside one object as a duplicate', () => {
    const rollup = feed(newRollup(), [[r1, { ...r1 }, { ...r1 }]]);
    expect(rollup.counters).toEqual({ records: 3, duplicates: 2, outOfRange: 0 });
    expect(dailies(rollup)[0].events).toBe(1);
  });

  it('always counts records without a log_id', () => {
    const anonymous = makeRecord({ type: 's', logId: null });
    const rollup = feed(newRollup(), [[anonymous, { ...anonymous }], [{ ...anonymous }]]);
    expect(rollup.counters).toEqual({ records: 3, duplicates: 0, outOfRange: 0 });
    expect(dailies(rollup)[0].logins).toBe(3);
  });

  it('does not double count an object that is aborted and read again from the start', () => {
    const rollup = newRollup();
    const attempt = rollup.beginObject();
    attempt.add(r1);
    attempt.add(r2);
    attempt.abort();
    expect(rollup.counters).toEqual({ records: 0, duplicates: 0, outOfRange: 0 });
    feed(rollup, [[r1, r2, r3]]);
    expect(rollup.counters).toEqual({ records: 3, duplicates: 0, outOfRange: 0 });
    expect(dailies(rollup)[0].events).toBe(3);
  });

  it('releases an aborted object\'s ids even while another object holds a copy', () => {
    const rollup = newRollup();
    const first = rollup.beginObject();
    first.add(r1); // claims r1
    const second = rollup.beginObject();
    second.add({ ...r1 }); // duplicate of the claim above
    second.add(r4);
    second.commit();
    first.abort(); // the read failed: r1 is released...
    feed(rollup, [[r1, r2]]); // ...and counted by the retry
    expect(rollup.counters).toEqual({ records: 4, duplicates: 1, outOfRange: 0 });
    const [day] = dailies(rollup);
    expect([day.events, day.logins, day.signups, day.m2m_tokens]).toEqual([3, 1, 1, 1]);
  });

  it('counts only committed objects', () => {
    const rollup = newRollup();
    const open = rollup.beginObject();
    open.add(r1);
    expect(rollup.counters.records).toBe(0);
    expect(rollup.tenantDays()).toBe(0);
    expect(rollup.summaries(META)).toEqual([]);
    open.commit();
    expect(rollup.counters.records).toBe(1);
  });

  it('refuses to use a partial after commit or abort', () => {
    const rollup = newRollup();
    const committed = rollup.beginObject();
    committed.commit();
    expect(() => committed.add(r1)).toThrow(ObjectRollupStateError);
    expect(() => committed.commit()).toThrow(ObjectRollupStateError);
    expect(() => committed.abort()).toThrow(ObjectRollupStateError);
    const aborted = rollup.beginObject();
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

  it('summarizes only days in the range and counts the rest as out of range', () => {
    const rollup = feed(newRollup(zone), [[early, first, last, late, { ...late }]]);
    // The repeat of `late` is a duplicate, not a second out-of-range record.
    expect(rollup.counters).toEqual({ records: 5, duplicates: 1, outOfRange: 2 });
    expect(dailies(rollup).map((d) => [d.day, d.events])).toEqual([['2024-06-01', 1], ['2024-06-02', 1]]);
    expect(rollup.tenantDays()).toBe(2);
    // Out-of-range records are not summarized, so their types are not reported either.
    expect(rollup.unknownTypes()).toEqual([]);
  });

  it('rejects options it cannot use', () => {
    expect(() => newRollup({ timezone: 'Mars/Olympus' })).toThrow(RollupOptionsError);
    expect(() => newRollup({ from: '2024-13-01' })).toThrow(RollupOptionsError);
    expect(() => newRollup({ to: '2024-06-01T00:00' })).toThrow(RollupOptionsError);
    expect(() => newRollup({ from: '2024-06-02', to: '2024-06-01' })).toThrow(RollupOptionsError);
  });
});

describe('unknown types', () => {
  it('lists every summarized type missing from the known list, sorted, once', () => {
    const rollup = feed(newRollup(), [
      ['zz_b', 's', 'zz_a', 'seccft', 'Z_upper'].map((type) => makeRecord({ type })),
      ['zz_a', 'sapi', 'token_quota_consumption_warning'].map((type) => makeRecord({ type, tenant: 'globex' })),
    ]);
    expect(rollup.unknownTypes()).toEqual(['Z_upper', 'zz_a', 'zz_b']);
    const types = rollup
      .summaries(META)
      .filter((s) => s.event.summary === 'event_type')
      .map((s) => (s.event as { type: string }).type);
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
        type: types[Math.floor(random() * types.length)],
        tenant: ['acme', 'globex', 'initech'][Math.floor(random() * 3)],
        hostname: ['acme.eu.auth0.com', 'login.acme.com', ''][Math.floor(random() * 3)],
        clientId: `client-${client}`,
        clientName: random() < 0.2 ? '' : `Client ${client} v${Math.floor(random() * 3)}`,
        audience: random() < 0.3 ? MGMT_AUDIENCE : API_AUDIENCE,
        userId: random() < 0.1 ? '' : `auth0|${Math.floor(random() * 200)}`,
      });
    }
    const objects: LogRecord[][] = Array.from({ length: 6 }, () => []);
    records.forEach((record, i) => objects[i % 6].push(record));
    // Each object repeats some records of another (as overlapping exports do).
    for (let i = 0; i < 300; i++) {
      objects[Math.floor(random() * 6)].push({ ...records[Math.floor(random() * records.length)] });
    }
    return objects;
  }

  it('gives the same summaries, counters and unknown types whatever the record and object order', () => {
    const objects = generatedObjects();
    const options = { timezone: 'America/New_York' };
    const reference = feed(newRollup(options), objects);
    const expected = reference.summaries(META);
    expect(reference.counters.duplicates).toBeGreaterThan(250); // repeats of null-id records are not duplicates
    const random = seededRandom(1234);
    for (let round = 0; round < 3; round++) {
      const reordered = shuffled(objects, random).map((records) => shuffled(records, random));
      const rollup = newRollup(options);
      // Read two objects at a time, interleaving their records, committing in yet another order.
      for (let k = 0; k < reordered.length; k += 2) {
        const [a, b] = [rollup.beginObject(), rollup.beginObject()];
        const longest = Math.max(reordered[k].length, reordered[k + 1].length);
        for (let i = 0; i < longest; i++) {
          if (i < reordered[k + 1].length) b.add(reordered[k + 1][i]);
          if (i < reordered[k].length) a.add(reordered[k][i]);
        }
        b.commit();
        a.commit();
      }
      expect(rollup.summaries(META)).toEqual(expected);
      expect(rollup.counters).toEqual(reference.counters);
      expect(rollup.unknownTypes()).toEqual(['zz_new_code']);
      expect(rollup.tenantDays()).toBe(reference.tenantDays());
    }
  });

  it('keeps records, duplicates, out-of-range and summarized events consistent', () => {
    const objects = generatedObjects();
    const rollup = feed(newRollup({ timezone: 'America/New_York', from: '2024-11-01', to: '2024-11-04' }), objects);
    const summarized = dailies(rollup).reduce((sum, d) => sum + d.events, 0);
    const { records, duplicates, outOfRange } = rollup.counters;
    expect(records).toBe(objects.reduce((sum, o) => sum + o.length, 0));
    expect(outOfRange).toBeGreaterThan(0);
    expect(duplicates + outOfRange + summarized).toBe(records);
    expect(dailies(rollup).every((d) => d.day >= '2024-11-01' && d.day <= '2024-11-04')).toBe(true);
  });

  it('differs between runs only in generated_at and run_id', () => {
    const objects = generatedObjects();
    const first = feed(newRollup(), objects).summaries(META);
    const later = { ...META, runId: 'run-2', generatedAt: '2025-01-01T00:00:00.000Z' };
    const second = feed(newRollup(), objects).summaries(later);
    const strip = (list: typeof first) =>
      list.map(({ event, ...envelope }) => ({ ...envelope, event: { ...event, run_id: '', generated_at: '' } }));
    expect(strip(second)).toEqual(strip(first));
    expect(second.every((s) => (s.event as DailyEvent).run_id === 'run-2')).toBe(true);
  });
});
