import { createHash } from 'node:crypto';
import type { LogRecord } from '../../../src/decode/logRecord';
import type { DailyEvent, EventTypeEvent, M2mEvent, SummaryEnvelope } from '../../../src/rollup/summaryEvent';
import { API_AUDIENCE, makeRecord, MGMT_AUDIENCE } from './rollupTestKit';
import { eventsOf, META, runOf } from './dayRollupKit';

/** Independent re-derivation of the documented id: sha256 over the JSON array, first 32 hex digits. */
const idOf = (...parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

describe('DayRollup + summary pass: two tenants around a New York DST day', () => {
  const NY = 'America/New_York';
  type Fields = Partial<LogRecord> & { date: string };
  const acme = (fields: Fields) => makeRecord({ tenant: 'acme', hostname: 'acme.eu.auth0.com', ...fields });
  const globex = (fields: Fields) => makeRecord({ tenant: 'globex', hostname: 'globex.us.auth0.com', ...fields });
  const billing = (name: string, audience: string, date: string) =>
    acme({ type: 'seccft', clientId: 'c1', clientName: name, audience, date });
  const objectA = [
    // 2024-03-10 00:00 EST is 05:00Z: one millisecond before it is still 03-09.
    acme({ type: 's', userId: 'auth0|u1', date: '2024-03-10T04:59:59.999Z' }),
    acme({ type: 's', userId: 'auth0|u1', date: '2024-03-10T05:00:00.000Z' }),
    billing('Billing v1', API_AUDIENCE, '2024-03-10T14:00:00Z'),
    billing('Billing v1', MGMT_AUDIENCE, '2024-03-10T15:00:00Z'),
    globex({ type: 'ss', userId: 'auth0|u7', date: '2024-03-10T12:00:00Z' }),
  ];
  const objectB = [
    // 2024-03-11 00:00 EDT is 04:00Z: one millisecond before it is still 03-10.
    billing('Billing v2', API_AUDIENCE, '2024-03-11T03:59:59.999Z'),
    acme({ type: 's', userId: 'auth0|u2', date: '2024-03-11T04:00:00.000Z' }),
    acme({ type: 'feccft', clientId: 'c2', clientName: 'Reports', audience: API_AUDIENCE, date: '2024-03-10T16:00Z' }),
    globex({ type: 'zz_new_code', date: '2024-03-10T13:00:00Z' }),
  ];
  let run: Awaited<ReturnType<typeof runOf>>;
  let summaries: SummaryEnvelope[];
  beforeAll(async () => {
    run = await runOf([objectA, objectB], { timezone: NY });
    summaries = run.summaries;
  });

  type Day = [day: string, min: number, max: number];
  type Kind = 'daily' | 'm2m' | 'event_type' | 'coverage';
  const bucket = <K extends Kind>(kind: K, tenant: string, [day, min, max]: Day, ...dims: string[]) => ({
    summary: kind,
    summary_id: idOf(kind, tenant, day, NY, ...dims),
    tenant,
    day,
    tz: NY,
    info_min_time: min,
    info_max_time: max,
    generated_at: META.generatedAt,
    run_id: META.runId,
  });
  // Local midnights: 03-09 05:00Z = 1709960400, 03-10 05:00Z = 1710046800, 03-11 04:00Z = 1710129600,
  // 03-12 04:00Z = 1710216000 (epoch seconds, worked from 2024-01-01T00:00Z = 1704067200).
  const D09: Day = ['2024-03-09', 1709960400, 1710046800];
  const D10: Day = ['2024-03-10', 1710046800, 1710129600];
  const D11: Day = ['2024-03-11', 1710129600, 1710216000];
  const zeroDaily = {
    logins: 0,
    failed_logins: 0,
    signups: 0,
    failed_signups: 0,
    breached_passwords: 0,
    active_users: 0,
    m2m_tokens: 0,
    m2m_tokens_billable: 0,
    m2m_token_failures: 0,
    token_exchanges: 0,
    token_exchange_failures: 0,
  };

  it('emits one daily event per tenant-day, worked by hand', () => {
    expect(eventsOf(summaries, 'daily')).toEqual<DailyEvent[]>([
      { ...bucket('daily', 'acme', D09), ...zeroDaily, logins: 1, active_users: 1, events: 1 },
      {
        ...bucket('daily', 'acme', D10),
        ...zeroDaily,
        logins: 1,
        active_users: 1,
        m2m_tokens: 3,
        m2m_tokens_billable: 2,
        m2m_token_failures: 1,
        token_exchanges: 3,
        token_exchange_failures: 1,
        events: 5,
      },
      { ...bucket('daily', 'acme', D11), ...zeroDaily, logins: 1, active_users: 1, events: 1 },
      { ...bucket('daily', 'globex', D10), ...zeroDaily, signups: 1, active_users: 1, events: 2 },
    ]);
  });

  it('makes the spring-forward day 23 hours long', () => {
    const day = eventsOf(summaries, 'daily')[1] as DailyEvent;
    expect(day.day).toBe('2024-03-10');
    expect(day.info_max_time - day.info_min_time).toBe(82800);
  });

  it('emits one m2m event per client and audience, with the latest client name and per-audience billability', () => {
    const m2m = (clientId: string, name: string, audience: string, billable: boolean, tokens: number, fails: number) => ({
      ...bucket('m2m', 'acme', D10, clientId, audience),
      client_id: clientId,
      client_name: name,
      audience,
      billable,
      m2m_tokens: tokens,
      m2m_token_failures: fails,
    });
    expect(eventsOf(summaries, 'm2m')).toEqual<M2mEvent[]>([
      m2m('c1', 'Billing v1', MGMT_AUDIENCE, false, 1, 0),
      m2m('c1', 'Billing v2', API_AUDIENCE, true, 2, 0),
      m2m('c2', 'Reports', API_AUDIENCE, true, 0, 1),
    ]);
  });

  it('emits one event_type event per tenant, day and type, unknown types included', () => {
    expect(eventsOf(summaries, 'event_type')).toEqual<EventTypeEvent[]>([
      { ...bucket('event_type', 'acme', D09, 's'), type: 's', count: 1 },
      { ...bucket('event_type', 'acme', D10, 'feccft'), type: 'feccft', count: 1 },
      { ...bucket('event_type', 'acme', D10, 's'), type: 's', count: 1 },
      { ...bucket('event_type', 'acme', D10, 'seccft'), type: 'seccft', count: 3 },
      { ...bucket('event_type', 'acme', D11, 's'), type: 's', count: 1 },
      { ...bucket('event_type', 'globex', D10, 'ss'), type: 'ss', count: 1 },
      { ...bucket('event_type', 'globex', D10, 'zz_new_code'), type: 'zz_new_code', count: 1 },
    ]);
  });

  it('emits one coverage event per tenant-day, in local minutes of 24- and 23-hour days', () => {
    const coverage = (tenant: string, day: Day, records: number, hours: number, withRecords: number, gap: number, first: string, last: string) => ({
      ...bucket('coverage', tenant, day),
      records,
      hours_in_day: hours,
      hours_with_records: withRecords,
      longest_gap_minutes: gap,
      first_record: first,
      last_record: last,
    });
    expect(eventsOf(summaries, 'coverage')).toEqual([
      // 03-09 starts 05:00Z: the record at 04:59:59.999Z next day is in minute 1439, hour 23; minutes 0–1438 empty.
      coverage('acme', D09, 1, 24, 1, 1439, '2024-03-10T04:59:59.999Z', '2024-03-10T04:59:59.999Z'),
      // 03-10 is 23 h (1380 minutes from 05:00Z): minutes 0, 540 (14:00Z), 600, 660 and 1379 (03:59:59.999Z);
      // hours 0, 9, 10, 11, 22; the longest gap is minutes 661–1378 = 718.
      coverage('acme', D10, 5, 23, 5, 718, '2024-03-10T05:00:00.000Z', '2024-03-11T03:59:59.999Z'),
      // 03-11 starts 04:00Z (EDT): minute 0 only, then 1439 empty minutes.
      coverage('acme', D11, 1, 24, 1, 1439, '2024-03-11T04:00:00.000Z', '2024-03-11T04:00:00.000Z'),
      // Minutes 420 (12:00Z) and 480 (13:00Z) of 1380: the gap after 13:00Z is minutes 481–1379 = 899.
      coverage('globex', D10, 2, 23, 2, 899, '2024-03-10T12:00:00.000Z', '2024-03-10T13:00:00.000Z'),
    ]);
  });

  it("wraps each event in an envelope timed at the bucket start, hosted at the day's main hostname", async () => {
    // Tenant by tenant, day by day; in each day its own kinds (daily, m2m, event_type), then the window kinds.
    const ORDER = ['daily', 'm2m', 'event_type', 'coverage', 'active_users', 'quota'];
    const days: Array<{ day: string; kinds: string[] }> = [];
    for (const { event } of summaries) {
      const { tenant, day, summary } = event as DailyEvent;
      if (days.at(-1)?.day !== `${tenant} ${day}`) days.push({ day: `${tenant} ${day}`, kinds: [] });
      days.at(-1)!.kinds.push(summary);
    }
    expect(days.map((d) => d.day)).toEqual(['acme 2024-03-09', 'acme 2024-03-10', 'acme 2024-03-11', 'globex 2024-03-10']);
    for (const { kinds } of days) {
      expect(kinds[0]).toBe('daily');
      expect(kinds).toEqual([...kinds].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)));
    }
    const count = (kind: string) => summaries.filter((s) => s.event.summary === kind).length;
    expect([count('daily'), count('m2m'), count('event_type')]).toEqual([4, 3, 7]);
    for (const envelope of summaries) {
      const event = envelope.event as DailyEvent;
      expect(envelope.time).toBe(event.info_min_time);
      expect(envelope.host).toBe(event.tenant === 'acme' ? 'acme.eu.auth0.com' : 'globex.us.auth0.com');
      expect(envelope.source).toBe('auth0-usage');
      expect(envelope.sourcetype).toBe('auth0:usage');
      expect('index' in envelope).toBe(false);
    }
    const indexed = await runOf([objectA, objectB], { timezone: NY }, { ...META, index: 'auth0' });
    expect(indexed.summaries.length).toBe(summaries.length);
    expect(indexed.summaries.every((s) => s.index === 'auth0')).toBe(true);
  });

  it('reports counters, tenant-days and unknown types', () => {
    expect(run.counters).toEqual({ records: 9, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 });
    expect(run.pass.changedDays).toBe(4);
    // The pass hands over each tenant-day's summaries as it builds them: one emit per tenant-day.
    expect(run.pass.emitCalls).toBe(4);
    expect(run.unknownTypes).toEqual(['zz_new_code']);
  });

  it('makes the fall-back day 25 hours long', async () => {
    const { summaries: fallBack } = await runOf([[acme({ type: 's', date: '2024-11-03T12:00:00Z' })]], { timezone: NY });
    const event = fallBack[0]!.event as DailyEvent;
    expect(event.summary).toBe('daily');
    expect([event.day, event.info_min_time, event.info_max_time]).toEqual(['2024-11-03', 1730606400, 1730696400]);
    expect(event.info_max_time - event.info_min_time).toBe(90000);
  });
});
