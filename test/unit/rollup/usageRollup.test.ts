import { createHash } from 'node:crypto';
import type { LogRecord } from '../../../src/decode/logRecord';
import type { DailyEvent, EventTypeEvent, M2mEvent, SummaryEnvelope } from '../../../src/rollup/summaryEvent';
import { UsageRollup, type SummaryMeta } from '../../../src/rollup/usageRollup';
import { API_AUDIENCE, defaultConfig, makeRecord, MGMT_AUDIENCE } from './rollupTestKit';

const META: SummaryMeta = {
  runId: 'run-1',
  generatedAt: '2024-12-01T00:00:00.000Z',
  source: 'auth0-usage',
  sourcetype: 'auth0:usage',
};

/** Independent re-derivation of the documented id: sha256 over the JSON array, first 32 hex digits. */
const idOf = (...parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

function rollupOf(objects: readonly (readonly LogRecord[])[], options: { timezone?: string } = {}) {
  const rollup = new UsageRollup({ config: defaultConfig, timezone: 'UTC', ...options });
  for (const records of objects) {
    const partial = rollup.beginObject();
    for (const record of records) partial.add(record);
    partial.commit();
  }
  return rollup;
}

const events = (summaries: SummaryEnvelope[], kind: string) =>
  summaries.filter((s) => s.event.summary === kind).map((s) => s.event);

describe('UsageRollup: two tenants around a New York DST day', () => {
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
  const rollup = rollupOf([objectA, objectB], { timezone: NY });
  const summaries = rollup.summaries(META);
  type Day = [day: string, min: number, max: number];
  type Kind = 'daily' | 'm2m' | 'event_type';
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
    expect(events(summaries, 'daily')).toEqual<DailyEvent[]>([
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
    const day = events(summaries, 'daily')[1] as DailyEvent;
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
    expect(events(summaries, 'm2m')).toEqual<M2mEvent[]>([
      m2m('c1', 'Billing v1', MGMT_AUDIENCE, false, 1, 0),
      m2m('c1', 'Billing v2', API_AUDIENCE, true, 2, 0),
      m2m('c2', 'Reports', API_AUDIENCE, true, 0, 1),
    ]);
  });

  it('emits one event_type event per tenant, day and type, unknown types included', () => {
    expect(events(summaries, 'event_type')).toEqual<EventTypeEvent[]>([
      { ...bucket('event_type', 'acme', D09, 's'), type: 's', count: 1 },
      { ...bucket('event_type', 'acme', D10, 'feccft'), type: 'feccft', count: 1 },
      { ...bucket('event_type', 'acme', D10, 's'), type: 's', count: 1 },
      { ...bucket('event_type', 'acme', D10, 'seccft'), type: 'seccft', count: 3 },
      { ...bucket('event_type', 'acme', D11, 's'), type: 's', count: 1 },
      { ...bucket('event_type', 'globex', D10, 'ss'), type: 'ss', count: 1 },
      { ...bucket('event_type', 'globex', D10, 'zz_new_code'), type: 'zz_new_code', count: 1 },
    ]);
  });

  it('wraps each event in an envelope timed at the bucket start, hosted at the day\'s main hostname', () => {
    expect(summaries).toHaveLength(14);
    const kinds = [...Array(4).fill('daily'), ...Array(3).fill('m2m'), ...Array(7).fill('event_type')];
    expect(summaries.map((s) => s.event.summary)).toEqual(kinds);
    for (const envelope of summaries) {
      const event = envelope.event as DailyEvent;
      expect(envelope.time).toBe(event.info_min_time);
      expect(envelope.host).toBe(event.tenant === 'acme' ? 'acme.eu.auth0.com' : 'globex.us.auth0.com');
      expect(envelope.source).toBe('auth0-usage');
      expect(envelope.sourcetype).toBe('auth0:usage');
      expect('index' in envelope).toBe(false);
    }
    expect(rollup.summaries({ ...META, index: 'auth0' }).every((s) => s.index === 'auth0')).toBe(true);
  });

  it('reports counters, tenant-days and unknown types', () => {
    expect(rollup.counters).toEqual({ records: 9, duplicates: 0, outOfRange: 0 });
    expect(rollup.tenantDays()).toBe(4);
    expect(rollup.unknownTypes()).toEqual(['zz_new_code']);
  });

  it('makes the fall-back day 25 hours long', () => {
    const [daily] = rollupOf([[acme({ type: 's', date: '2024-11-03T12:00:00Z' })]], { timezone: NY }).summaries(META);
    const event = daily.event as DailyEvent;
    expect([event.day, event.info_min_time, event.info_max_time]).toEqual(['2024-11-03', 1730606400, 1730696400]);
    expect(event.info_max_time - event.info_min_time).toBe(90000);
  });
});
