import type { ActiveUsersFigures } from './activeUsersWindow';
import { bucketEnvelope, bucketFields, type TenantDayBucket } from './bucketEnvelope';
import type { SummaryMeta } from './summaryBuilder';
import type { ActiveUsersEvent, SummaryEnvelope } from './summaryEvent';

export function buildActiveUsersSummary(
  bucket: TenantDayBucket,
  figures: ActiveUsersFigures,
  windowComplete: boolean,
  meta: SummaryMeta,
): SummaryEnvelope<ActiveUsersEvent> {
  const event: ActiveUsersEvent = Object.assign(bucketFields('active_users', bucket.tenant, bucket.range, bucket.tz, meta), {
    dau: figures.dau,
    mau_30d: figures.mau30d,
    mau_month: figures.mauMonth,
    window_complete: windowComplete,
  });
  return bucketEnvelope(event, bucket.range, bucket.host, meta);
}
