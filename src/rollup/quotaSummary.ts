import { bucketEnvelope, bucketFields, type TenantDayBucket } from './bucketEnvelope';
import { monthOf } from './calendarDay';
import type { QuotaFigures } from './quotaFigures';
import type { SummaryMeta } from './summaryBuilder';
import type { QuotaEvent, QuotaMetric, SummaryEnvelope } from './summaryEvent';

/** A quota summary; the metric is one of the summary_id's dimensions. */
export function buildQuotaSummary(
  bucket: TenantDayBucket,
  metric: QuotaMetric,
  figures: QuotaFigures,
  monthComplete: boolean,
  meta: SummaryMeta,
): SummaryEnvelope<QuotaEvent> {
  const event: QuotaEvent = Object.assign(bucketFields('quota', bucket.tenant, bucket.range, bucket.tz, meta, metric), {
    metric,
    month: monthOf(bucket.range.day),
    used: figures.used,
    limit: figures.limit,
    percent_used: figures.percent_used,
    projected_month_end: figures.projected_month_end,
    threshold: figures.threshold,
    window_complete: monthComplete,
  });
  return bucketEnvelope(event, bucket.range, bucket.host, meta);
}
