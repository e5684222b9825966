import type { UsageConfig } from '../config/schema';
import { dayOfMonth, daysInMonth } from './calendarDay';
import type { QuotaMetric } from './summaryEvent';

/** The quota metrics, in the order their summaries are emitted. */
export const QUOTA_METRICS: readonly QuotaMetric[] = ['m2m_tokens_billable', 'active_users'];

export interface QuotaFigures {
  used: number;
  limit: number | null;
  percent_used: number | null;
  projected_month_end: number;
  threshold: number | null;
}

/** The monthly limit of a metric for a tenant: its own entry under `quotas.tenants`, else the global one, else null. */
export function quotaLimit(quotas: UsageConfig['quotas'], tenant: string, metric: QuotaMetric): number | null {
  // Object.hasOwn: a tenant named like an Object.prototype key must not reach the prototype.
  const own = quotas.tenants !== undefined && Object.hasOwn(quotas.tenants, tenant) ? quotas.tenants[tenant] : undefined;
  return own?.[metric] ?? quotas[metric] ?? null;
}

/**
 * Month-to-date figures of one quota through `day`. The projection is linear in elapsed days
 * (used ÷ day of month × days in month); the threshold is the highest configured percentage reached, compared
 * exactly (used × 100 ≥ threshold × limit) so rounding never raises or misses one.
 */
export function quotaFigures(used: number, limit: number | null, day: string, thresholds: readonly number[]): QuotaFigures {
  const projected = Math.round((used * daysInMonth(day)) / dayOfMonth(day));
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
