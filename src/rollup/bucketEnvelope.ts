import type { DayRange } from './dayRange';
import type { SummaryMeta } from './summaryBuilder';
import type { BucketFields, SummaryEnvelope, SummaryPayload } from './summaryEvent';
import { summaryId } from './summaryId';

/** The tenant-day a window summary (active_users, quota) is for, and the host its envelope carries. */
export interface TenantDayBucket {
  tenant: string;
  range: DayRange;
  tz: string;
  host: string;
}

/** The common fields of a bucket summary, in SUMMARY_FIELDS order (the same as summaryBuilder's daily events). */
export function bucketFields<K extends BucketFields['summary']>(
  kind: K,
  tenant: string,
  range: DayRange,
  tz: string,
  meta: SummaryMeta,
  ...dimensions: string[]
): BucketFields & { summary: K } {
  return {
    summary: kind,
    summary_id: summaryId(kind, tenant, range.day, tz, ...dimensions),
    tenant,
    day: range.day,
    tz,
    info_min_time: Math.floor(range.startMs / 1000),
    info_max_time: Math.floor(range.endMs / 1000),
    generated_at: meta.generatedAt,
    run_id: meta.runId,
  };
}

/**
 * The one way a summary (the `run` event included) is wrapped for HEC and --output: `time` in epoch seconds,
 * then host, source, sourcetype, the index only when one is set, and the event.
 */
export function summaryEnvelope<P extends SummaryPayload>(
  event: P,
  timeMs: number,
  host: string,
  meta: Pick<SummaryMeta, 'source' | 'sourcetype' | 'index'>,
): SummaryEnvelope<P> {
  const time = Math.floor(timeMs / 1000);
  const { source, sourcetype, index } = meta;
  return index === undefined ? { time, host, source, sourcetype, event } : { time, host, source, sourcetype, index, event };
}

/** The HEC envelope of a bucket summary: `time` is the bucket start, `host` the tenant-day's main hostname. */
export function bucketEnvelope<P extends SummaryPayload>(event: P, range: DayRange, host: string, meta: SummaryMeta): SummaryEnvelope<P> {
  return summaryEnvelope(event, range.startMs, host, meta);
}
