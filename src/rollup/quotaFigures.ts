import type { UsageConfig } from '../config/schema';
import { dayOfMonth, daysInMonth } from './calendarDay';
import type { QuotaMetric } from './summaryEvent';

/** The quota metrics, in the order their summaries are emitted. */
export const QUOTA_METRICS: readonly QuotaMetric[] = ['m2m_tokens_billable', 'active_users'];

export interface QuotaFigures {
  used: number;
  limit: number | null;
  percent_used: number | null;
  /** Null for a metric that does not add up day by day (see PROJECTED). */
  projected_month_end: number | null;
  threshold: number | null;
}

/**
 * Whether a metric's month-to-date figure extrapolates linearly. Billable M2M tokens are a sum of days. Monthly
 * active users are distinct users: one who comes back does not raise them, so used ÷ day of month × days in month
 * of a flat MAU of 100 is 620 on the 5th, a projection that would cross any limit above the real MAU.
 */
const PROJECTED: Record<QuotaMetric, boolean> = { m2m_tokens_billable: true, active_users: false };

/** The monthly limit of a metric for a tenant: its own entry under `quotas.tenants`, else the global one, else null. */
export function quotaLimit(quotas: UsageConfig['quotas'], tenant: string, metric: QuotaMetric): number | null {
  // Object.hasOwn: a tenant named like an Object.prototype key must not reach the prototype.
  const own = quotas.tenants !== undefined && Object.hasOwn(quotas.tenants, tenant) ? quotas.tenants[tenant] : undefined;
  return own?.[metric] ?? quotas[metric] ?? null;
}

/**
 * Month-to-date figures of one quota through `day`. The projection is linear in elapsed days
 * (used ÷ day of month × days in month), for a metric that adds up (PROJECTED); the threshold is the highest configured percentage reached, compared
 * exactly (used × 100 ≥ threshold × limit) so rounding never raises or misses one.
 */
export function quotaFigures(metric: QuotaMetric, used: number, limit: number | null, day: string, thresholds: readonly number[]): QuotaFigures {
  const projected = PROJECTED[metric] ? Math.round((used * daysInMonth(day)) / dayOfMonth(day)) : null;
  if (limit === null) return { used, limit, percent_used: null, projected_month_end: projected, threshold: null };
  let threshold: number | null = null;
  for (const t of thresholds) if (used * 100 >= t * limit && (threshold === null || t > threshold)) threshold = t;
  return {
    used,
    limit,
    percent_used: Math.round((used * 10_000) / limit) / 100,
    projected_month_end: projected,
    threshold,
  };
}
