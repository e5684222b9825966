/** Summary envelopes for HEC tests: distinct summary_ids and times, realistic daily events. */
import type { DailyEvent, SummaryEnvelope } from '../../src/rollup/summaryEvent';

const DAY = 86_400;
/** 2024-03-01T00:00:00Z */
const START = 1_709_251_200;

export function dailyEnvelope(n: number, overrides: Partial<SummaryEnvelope<DailyEvent>> = {}): SummaryEnvelope<DailyEvent> {
  const day = new Date((START + n * DAY) * 1000).toISOString().slice(0, 10);
  return {
    time: START + n * DAY,
    host: 'batch-01',
    source: 'auth0-usage',
    sourcetype: 'auth0:usage',
    index: 'summary',
    event: {
      summary: 'daily',
      summary_id: `sid-${String(n).padStart(4, '0')}`,
      tenant: 'acme',
      day,
      tz: 'UTC',
      info_min_time: START + n * DAY,
      info_max_time: START + (n + 1) * DAY,
      generated_at: '2024-06-01T02:00:00.000Z',
      run_id: 'run-a',
      logins: 100 + n,
      failed_logins: n % 7,
      signups: 3,
      failed_signups: 0,
      breached_passwords: 0,
      active_users: 40 + n,
      m2m_tokens: 12,
      m2m_tokens_billable: 10,
      m2m_token_failures: 1,
      token_exchanges: 12,
      token_exchange_failures: 1,
      events: 200 + n,
    },
    ...overrides,
  };
}

export function dailyEnvelopes(count: number, from = 0): SummaryEnvelope<DailyEvent>[] {
  return Array.from({ length: count }, (_, i) => dailyEnvelope(from + i));
}

export function summaryIds(envelopes: readonly SummaryEnvelope[]): string[] {
  return envelopes.map((envelope) => (envelope.event as DailyEvent).summary_id);
}
