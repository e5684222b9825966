import { createHash } from 'node:crypto';
import { buildActiveUsersSummary } from '../../../src/rollup/activeUsersSummary';
import { quotaFigures } from '../../../src/rollup/quotaFigures';
import { buildQuotaSummary } from '../../../src/rollup/quotaSummary';
import type { SummaryMeta } from '../../../src/rollup/summaryBuilder';
import { SUMMARY_FIELDS } from '../../../src/rollup/summaryEvent';
import { runJob } from '../../../src/run/runJob';
import { CollectingSink, configWith, silentLogger } from '../state/stateTestKit';

const META: SummaryMeta = { runId: 'r1', generatedAt: '2024-06-02T00:00:00.000Z', source: 'auth0-usage', sourcetype: 'auth0:usage', index: 'summary' };
// Asia/Kolkata: 2024-06-01 is [2024-05-31T18:30Z, 2024-06-01T18:30Z).
const bucket = {
  tenant: 'acme',
  tz: 'Asia/Kolkata',
  host: 'acme.eu.auth0.com',
  range: { day: '2024-06-01', startMs: Date.parse('2024-05-31T18:30:00Z'), endMs: Date.parse('2024-06-01T18:30:00Z') },
};
const idOf = (...parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

test('active_users events list SUMMARY_FIELDS in order, with the bucket fields and envelope', () => {
  const envelope = buildActiveUsersSummary(bucket, { dau: 3, mau30d: 40, mauMonth: 3 }, false, META);
  expect(Object.keys(envelope.event)).toEqual(SUMMARY_FIELDS.active_users);
  expect(envelope).toEqual({
    time: 1717180200,
    host: 'acme.eu.auth0.com',
    source: 'auth0-usage',
    sourcetype: 'auth0:usage',
    index: 'summary',
    event: {
      summary: 'active_users',
      summary_id: idOf('active_users', 'acme', '2024-06-01', 'Asia/Kolkata'),
      tenant: 'acme',
      day: '2024-06-01',
      tz: 'Asia/Kolkata',
      info_min_time: 1717180200,
      info_max_time: 1717266600,
      generated_at: '2024-06-02T00:00:00.000Z',
      run_id: 'r1',
      dau: 3,
      mau_30d: 40,
      mau_month: 3,
      window_complete: false,
    },
  });
});

test('quota events list SUMMARY_FIELDS in order; the metric is part of the summary_id', () => {
  const envelope = buildQuotaSummary(bucket, 'm2m_tokens_billable', quotaFigures('m2m_tokens_billable', 900, 1000, '2024-06-01', [80, 100]), true, META);
  expect(Object.keys(envelope.event)).toEqual(SUMMARY_FIELDS.quota);
  expect(envelope.event).toMatchObject({
    summary_id: idOf('quota', 'acme', '2024-06-01', 'Asia/Kolkata', 'm2m_tokens_billable'),
    metric: 'm2m_tokens_billable',
    month: '2024-06',
    used: 900,
    limit: 1000,
    percent_used: 90,
    projected_month_end: 27000, // 900 × 30 / 1
    threshold: 80,
    window_complete: true,
  });
});

test('the run event lists SUMMARY_FIELDS.run in order (quarantine_truncated, objects_gone, merged_shards, s3_retries, error, error_code and HEC fields only when present)', async () => {
  const sink = new CollectingSink();
  const outcome = await runJob({ inputs: [], config: configWith(), timezone: 'UTC', openSource: () => ({ input: '', list: async function* () {} }), sinks: [sink], concurrency: 1, logger: silentLogger });
  const keys = Object.keys(outcome.run);
  expect(keys).toEqual(SUMMARY_FIELDS.run.filter((field) => keys.includes(field)));
  expect(SUMMARY_FIELDS.run.filter((field) => !keys.includes(field))).toEqual(['quarantine_truncated', 'objects_gone', 'merged_shards', 's3_retries', 'hec_requests', 'hec_retries', 'hec_events_sent', 'hec_events_spooled', 'hec_events_rejected', 'error', 'error_code', 'auth0_stats_errors']);
  expect(outcome.run.dedup_unavailable).toBe(0);
});
