import type { LogRecord } from '../../../src/decode/logRecord';
import { AudiencePolicy } from '../../../src/rollup/audiencePolicy';
import { CategoryLookup, M2M_CATEGORY_MASK } from '../../../src/rollup/categoryLookup';
import { DayAggregate, DayAggregateFormatError, DayAggregateMergeError } from '../../../src/rollup/dayAggregate';
import type { DayRange } from '../../../src/rollup/dayRange';
import { API_AUDIENCE, defaultConfig, makeRecord, MGMT_AUDIENCE, seededRandom, shuffled } from './rollupTestKit';

const DAY: DayRange = { day: '2024-06-01', startMs: Date.UTC(2024, 5, 1), endMs: Date.UTC(2024, 5, 2) };
const categories = new CategoryLookup(defaultConfig.categories);
const audiences = new AudiencePolicy(defaultConfig.nonBillableAudiences);

function aggregateOf(records: readonly LogRecord[], tenant = 'acme', range = DAY): DayAggregate {
  const aggregate = new DayAggregate(tenant, range);
  for (const record of records) {
    const flags = categories.flagsOf(record.type);
    aggregate.add(record, flags, (flags & M2M_CATEGORY_MASK) !== 0 && audiences.isBillable(record.audience));
  }
  return aggregate;
}

const T = (hhmm: string) => `2024-06-01T${hhmm}:00.000Z`;

/** One of every category, worked by hand below. */
const MIXED: LogRecord[] = [
  makeRecord({ type: 's', userId: 'auth0|u1' }),
  makeRecord({ type: 's', userId: 'auth0|u2' }),
  makeRecord({ type: 's', userId: 'auth0|u1' }),
  makeRecord({ type: 's', userId: '' }),
  makeRecord({ type: 'ss', userId: 'auth0|u3' }),
  makeRecord({ type: 'ssa', userId: 'auth0|u9' }), // silent auth: no category, not an active user
  ...['f', 'fp', 'fu', 'fcoa', 'fens', 'fc', 'fco'].map((type) => makeRecord({ type, userId: 'auth0|u8' })),
  makeRecord({ type: 'fs' }),
  ...['pwd_leak', 'signup_pwd_leak', 'reset_pwd_leak'].map((type) => makeRecord({ type })),
  makeRecord({ type: 'seccft', clientId: 'c1', clientName: 'Billing', audience: API_AUDIENCE, date: T('10:00') }),
  makeRecord({ type: 'seccft', clientId: 'c1', clientName: 'Billing', audience: API_AUDIENCE, date: T('11:00') }),
  makeRecord({ type: 'seccft', clientId: 'c1', clientName: 'Billing', audience: MGMT_AUDIENCE, date: T('12:00') }),
  makeRecord({ type: 'feccft', clientId: 'c2', clientName: '', audience: API_AUDIENCE }),
  makeRecord({ type: 'sertft' }),
  makeRecord({ type: 'ferrt' }),
  makeRecord({ type: 'sapi', hostname: '' }),
  makeRecord({ type: 'zz_new_code', hostname: 'login.acme.com' }),
];

describe('DayAggregate', () => {
  it('counts every category, including codes that belong to two', () => {
    const aggregate = aggregateOf(MIXED);
    // s×4, ss, ssa, 7 login failures, fs, 3 breached, seccft×3, feccft, sertft, ferrt, sapi, zz_new_code.
    expect(aggregate.events).toBe(25);
    expect(aggregate.categoryCount('login_success')).toBe(4);
    expect(aggregate.categoryCount('login_failure')).toBe(7);
    expect(aggregate.categoryCount('signup_success')).toBe(1);
    expect(aggregate.categoryCount('signup_failure')).toBe(1);
    expect(aggregate.categoryCount('breached_password')).toBe(3);
    expect(aggregate.categoryCount('m2m_token')).toBe(3);
    expect(aggregate.categoryCount('m2m_token_failure')).toBe(1);
    // seccft ×3 + sertft; feccft + ferrt.
    expect(aggregate.categoryCount('token_exchange')).toBe(4);
    expect(aggregate.categoryCount('token_exchange_failure')).toBe(2);
    // u1, u2 (logins) and u3 (signup); u8 only failed, u9 only silent auth, "" is no user.
    expect(aggregate.activeUsers).toBe(3);
    // Two of the three seccft go to a billable API; the third to the Management API.
    expect(aggregate.billableM2mTokens()).toBe(2);
  });

  it('keeps per-type counts and per-client, per-audience M2M buckets', () => {
    const aggregate = aggregateOf(MIXED);
    expect(Object.fromEntries(aggregate.eventTypes())).toEqual({
      s: 4, ss: 1, ssa: 1, f: 1, fp: 1, fu: 1, fcoa: 1, fens: 1, fc: 1, fco: 1, fs: 1, pwd_leak: 1,
      signup_pwd_leak: 1, reset_pwd_leak: 1, seccft: 3, feccft: 1, sertft: 1, ferrt: 1, sapi: 1, zz_new_code: 1,
    });
    expect(aggregate.m2m()).toEqual([
      {
        ...{ clientId: 'c1', audience: MGMT_AUDIENCE, billable: false, m2mTokens: 1, m2mTokenFailures: 0 },
        ...{ clientName: 'Billing', clientNameMs: Date.parse(T('12:00')) },
      },
      {
        ...{ clientId: 'c1', audience: API_AUDIENCE, billable: true, m2mTokens: 2, m2mTokenFailures: 0 },
        ...{ clientName: 'Billing', clientNameMs: Date.parse(T('11:00')) },
      },
      {
        ...{ clientId: 'c2', audience: API_AUDIENCE, billable: true, m2mTokens: 0, m2mTokenFailures: 1 },
        ...{ clientName: '', clientNameMs: -Infinity },
      },
    ]);
  });

  it('names the host after the most frequent non-empty hostname, ties to the smallest, else the tenant', () => {
    // MIXED: 23 records on acme.eu.auth0.com, one on login.acme.com, one without.
    expect(aggregateOf(MIXED).host()).toBe('acme.eu.auth0.com');
    const tie = aggregateOf([
      makeRecord({ hostname: 'b.example' }),
      makeRecord({ hostname: 'a.example' }),
      makeRecord({ hostname: '' }),
      makeRecord({ hostname: '' }),
    ]);
    expect(tie.host()).toBe('a.example');
    expect(aggregateOf([makeRecord({ hostname: '' })], 'acme').host()).toBe('acme');
  });

  it('keeps the latest non-empty client name by record date, ties to the greatest name, in any order', () => {
    const records = [
      makeRecord({ type: 'seccft', clientId: 'c1', audience: API_AUDIENCE, clientName: 'Old', date: T('08:00') }),
      makeRecord({ type: 'seccft', clientId: 'c1', audience: API_AUDIENCE, clientName: 'Beta', date: T('20:00') }),
      makeRecord({ type: 'seccft', clientId: 'c1', audience: API_AUDIENCE, clientName: 'Alpha', date: T('20:00') }),
      makeRecord({ type: 'feccft', clientId: 'c1', audience: API_AUDIENCE, clientName: '', date: T('23:00') }),
      makeRecord({ type: 'seccft', clientId: 'c1', audience: API_AUDIENCE, clientName: 'Middle', date: T('12:00') }),
    ];
    const random = seededRandom(5);
    for (let round = 0; round < 10; round++) {
      const [bucket] = aggregateOf(shuffled(records, random)).m2m();
      expect(bucket.clientName).toBe('Beta');
      expect(bucket.m2mTokens).toBe(4);
      expect(bucket.m2mTokenFailures).toBe(1);
    }
  });

  describe('merge', () => {
    const random = seededRandom(11);
    const parts = [0, 1, 2].map(() => shuffled(MIXED, random).slice(0, 15));

    it('equals the aggregate of all records, in any grouping and order', () => {
      const [a, b, c] = parts.map((records) => aggregateOf(records));
      const whole = aggregateOf(parts.flat()).toJSON();
      const left = a.clone().merge(b).merge(c); // (a ⊕ b) ⊕ c
      const right = a.clone().merge(b.clone().merge(c)); // a ⊕ (b ⊕ c)
      const swapped = c.clone().merge(a).merge(b);
      expect(left.toJSON()).toEqual(whole);
      expect(right.toJSON()).toEqual(whole);
      expect(swapped.toJSON()).toEqual(whole);
    });

    it('adds reconcile counts by API day, metric by metric, where both sides have some', () => {
      // The API's day cut one hour later than ours (as if its zone were UTC−1).
      const statsDayOf = (ms: number) => new Date(ms - 3_600_000).toISOString().slice(0, 10);
      const part = (rows: Array<[string, string]>) => {
        const aggregate = new DayAggregate('acme', DAY);
        for (const [type, hhmm] of rows) aggregate.add(makeRecord({ type, date: T(hhmm) }), categories.flagsOf(type), false, statsDayOf);
        return aggregate;
      };
      // a: API 05-31 has s, ss; API 06-01 has s, s, ss, pwd_leak.
      const a = part([['s', '00:30'], ['ss', '00:40'], ['s', '02:00'], ['s', '03:00'], ['ss', '04:00'], ['pwd_leak', '05:00']]);
      // b: API 05-31 has s, s, ss, ss, ss, signup_pwd_leak; API 06-01 has reset_pwd_leak, reset_pwd_leak, s.
      const b = part([['s', '00:01'], ['s', '00:02'], ['ss', '00:03'], ['ss', '00:04'], ['ss', '00:05'], ['signup_pwd_leak', '00:06'], ['reset_pwd_leak', '10:00'], ['reset_pwd_leak', '11:00'], ['s', '12:00']]);
      const expected = new Map([
        ['2024-05-31', { logins: 1 + 2, signups: 1 + 3, breached_passwords: 0 + 1 }],
        ['2024-06-01', { logins: 2 + 1, signups: 1 + 0, breached_passwords: 1 + 2 }],
      ]);
      expect(a.clone().merge(b).statsDays()).toEqual(expected);
      expect(b.clone().merge(a).statsDays()).toEqual(expected);
    });

    it('leaves the merged-in aggregate unchanged', () => {
      const [a, b] = parts.map((records) => aggregateOf(records));
      const before = b.toJSON();
      a.merge(b);
      a.merge(b);
      expect(b.toJSON()).toEqual(before);
    });

    it('refuses aggregates of another tenant or day', () => {
      const other: DayRange = { day: '2024-06-02', startMs: DAY.endMs, endMs: DAY.endMs + 86_400_000 };
      expect(() => aggregateOf([]).merge(aggregateOf([], 'globex'))).toThrow(DayAggregateMergeError);
      expect(() => aggregateOf([]).merge(aggregateOf([], 'acme', other))).toThrow(DayAggregateMergeError);
    });
  });

  describe('toJSON / fromJSON', () => {
    it('round-trips through JSON text', () => {
      const aggregate = aggregateOf([...MIXED, makeRecord({ type: '__proto__' }), makeRecord({ type: 'constructor' })]);
      const restored = DayAggregate.fromJSON(JSON.parse(JSON.stringify(aggregate)));
      expect(restored.toJSON()).toEqual(aggregate.toJSON());
      expect(restored.tenant).toBe('acme');
      expect(restored.range).toEqual(DAY);
      expect(restored.events).toBe(27);
      expect(restored.activeUsers).toBe(3);
      expect(restored.billableM2mTokens()).toBe(2);
      expect(restored.host()).toBe('acme.eu.auth0.com');
      expect(restored.m2m()).toEqual(aggregate.m2m());
      expect(Object.fromEntries(restored.eventTypes())['__proto__']).toBe(1);
    });

    it('round-trips through the scratch form, whose active users keep set order, unsorted', () => {
      const records = [makeRecord({ type: 's', userId: 'zed' }), makeRecord({ type: 's', userId: 'amy' }), ...MIXED];
      const aggregate = aggregateOf(records);
      const scratch = JSON.parse(JSON.stringify(aggregate.toScratchJSON()));
      expect(scratch.activeUserIds.slice(0, 2)).toEqual(['zed', 'amy']);
      expect(DayAggregate.fromScratchJSON(scratch).toJSON()).toEqual(aggregate.toJSON());
      expect(aggregate.activeUserIdList().sort()).toEqual(aggregate.toJSON().activeUserIds);
    });

    it('serializes equal aggregates identically whatever the insertion order', () => {
      const random = seededRandom(3);
      const text = JSON.stringify(aggregateOf(MIXED));
      expect(JSON.stringify(aggregateOf(shuffled(MIXED, random)))).toBe(text);
    });

    it('keeps merging after a round trip', () => {
      const restored = DayAggregate.fromJSON(JSON.parse(JSON.stringify(aggregateOf(MIXED))));
      restored.merge(aggregateOf(MIXED));
      expect(restored.events).toBe(50);
      expect(restored.categoryCount('m2m_token')).toBe(6);
      expect(restored.activeUsers).toBe(3);
    });

    it('reads a version 1 aggregate (an older state): its coverage and reconcile counts are unknown, and stay so', () => {
      const { coverage: _c, statsDays: _s, ...v2 } = JSON.parse(JSON.stringify(aggregateOf(MIXED))) as Record<string, unknown>;
      const old = DayAggregate.fromJSON({ ...v2, version: 1 });
      expect(old.events).toBe(25);
      expect(old.coverage()).toBeNull();
      expect(old.statsDays()).toBeNull();
      // Records of a later run alone would understate the day: merged, it stays unknown.
      old.merge(aggregateOf([makeRecord({ type: 's', date: T('03:00') })]));
      expect(old.events).toBe(26);
      expect(old.coverage()).toBeNull();
      expect(old.toJSON()).toMatchObject({ version: 2, coverage: null, statsDays: null });
      expect(DayAggregate.fromJSON(JSON.parse(JSON.stringify(old))).coverage()).toBeNull();
    });

    it('keeps reconcile counts by the API day the records fall in, and coverage, through a round trip', () => {
      const aggregate = new DayAggregate('acme', DAY);
      // The API's day cut one hour later than ours (as if its zone were UTC−1).
      const statsDayOf = (ms: number) => new Date(ms - 3_600_000).toISOString().slice(0, 10);
      for (const [type, hhmm] of [['s', '00:30'], ['s', '01:30'], ['ss', '00:10'], ['pwd_leak', '12:00'], ['reset_pwd_leak', '12:00'], ['f', '12:00']]) {
        aggregate.add(makeRecord({ type: type!, date: T(hhmm!) }), categories.flagsOf(type!), false, statsDayOf);
      }
      const expected = new Map([
        ['2024-05-31', { logins: 1, signups: 1, breached_passwords: 0 }],
        ['2024-06-01', { logins: 1, signups: 0, breached_passwords: 2 }],
      ]);
      expect(aggregate.statsDays()).toEqual(expected);
      const restored = DayAggregate.fromJSON(JSON.parse(JSON.stringify(aggregate)));
      expect(restored.statsDays()).toEqual(expected);
      // Minutes 10, 30, 90, 720: hours 0, 1, 12; the longest gap is minutes 721–1439.
      expect(restored.coverage()!.figures()).toMatchObject({ records: 6, hours_with_records: 3, longest_gap_minutes: 719 });
    });

    it.each<[string, (json: Record<string, unknown>) => unknown]>([
      ['another version', (json) => ({ ...json, version: 3 })],
      ['version 2 without coverage', ({ coverage: _unused, ...json }) => json],
      ['version 1 with coverage', (json) => ({ ...json, version: 1 })],
      ['coverage of another length', (json) => ({ ...json, coverage: { ...(json.coverage as object), minutes: 'AAAA' } })],
      ['a duplicate stats day', (json) => ({ ...json, statsDays: [['2024-06-01', 1, 0, 0], ['2024-06-01', 1, 0, 0]] })],
      ['a negative count', (json) => ({ ...json, events: -1 })],
      ['a fractional count', (json) => ({ ...json, types: [['s', 1.5]] })],
      ['a missing field', ({ hostnames: _unused, ...json }) => json],
      ['an unknown field', (json) => ({ ...json, extra: true })],
      ['a duplicate type', (json) => ({ ...json, types: [['s', 1], ['s', 2]] })],
      ['a duplicate m2m bucket', (json) => ({ ...json, m2m: [...(json.m2m as []), ...(json.m2m as [])] })],
      ['a day that ends before it starts', (json) => ({ ...json, endMs: json.startMs })],
      ['a non-object', () => 'nope'],
    ])('rejects %s', (_what, corrupt) => {
      const json = JSON.parse(JSON.stringify(aggregateOf(MIXED))) as Record<string, unknown>;
      expect(() => DayAggregate.fromJSON(corrupt(json))).toThrow(DayAggregateFormatError);
    });
  });
});
