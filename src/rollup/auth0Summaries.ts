/**
 * The summaries built from Auth0's own statistics beside ours: `auth0_daily` (a stats/daily row),
 * `auth0_active_users` (stats/active-users) and `reconcile` (one per day and metric). Their days are cut in
 * auth0.statsTimezone, the API's day boundary, so `tz` is that zone whatever --timezone the others use.
 */
import { bucketEnvelope, bucketFields } from './bucketEnvelope';
import { DayRangeCache, dayRangeOfDate } from './dayRange';
import { reconcileDays, reconcileFigure, type Auth0DayFigures, type LogDayCounts, type ReconcileRow } from './reconcile';
import type { SummaryMeta } from './summaryBuilder';
import type { Auth0ActiveUsersEvent, Auth0DailyEvent, ReconcileEvent, SummaryEnvelope } from './summaryEvent';

/** A stats/daily row as the API returned it (`day`: its date, YYYY-MM-DD). */
export interface Auth0DailyRow extends Auth0DayFigures {
  updated_at?: string;
}

export interface TenantStats {
  tenant: string;
  /** The envelope's host: the tenant's domain without a port. */
  host: string;
  statsTimezone: string;
  tolerancePercent: number;
}

/** auth0_daily for each of `days` that has an API row, and reconcile rows for each of `days` and metric. */
export function buildAuth0DaySummaries(
  stats: TenantStats,
  days: readonly string[],
  rows: readonly Auth0DailyRow[],
  ours: ReadonlyMap<string, LogDayCounts>,
  meta: SummaryMeta,
): SummaryEnvelope[] {
  const { tenant, host, statsTimezone: tz } = stats;
  const out: SummaryEnvelope[] = [];
  const rowOf = new Map(rows.map((row) => [row.day, row]));
  const reconciled = reconcileDays(tenant, days, ours, rows, stats.tolerancePercent);
  for (const day of [...days].sort()) {
    const range = dayRangeOfDate(day, tz);
    const row = rowOf.get(day);
    if (row !== undefined) {
      const event: Auth0DailyEvent = {
        ...bucketFields('auth0_daily', tenant, range, tz, meta),
        logins: row.logins,
        signups: row.signups,
        leaked_passwords: row.leaked_passwords ?? null,
        updated_at: row.updated_at ?? null,
      };
      out.push(bucketEnvelope(event, range, host, meta));
    }
    for (const r of reconciled.filter((candidate) => candidate.day === day)) out.push(reconcileEnvelope(stats, r, meta));
  }
  return out;
}

function reconcileEnvelope(stats: TenantStats, r: ReconcileRow, meta: SummaryMeta): SummaryEnvelope {
  const range = dayRangeOfDate(r.day, stats.statsTimezone);
  const event: ReconcileEvent = {
    ...bucketFields('reconcile', stats.tenant, range, stats.statsTimezone, meta, r.metric),
    metric: r.metric,
    logs: r.logs,
    auth0: r.auth0,
    delta: r.delta,
    delta_percent: r.delta_percent,
    tolerance_percent: r.tolerance_percent,
    status: r.status,
  };
  return bucketEnvelope(event, range, stats.host, meta);
}

/**
 * The active_users_30d row: Auth0's users of the last 30 days at the call beside our mau_30d of the latest
 * complete day (`day`, the day before the call in the API's zone; our window is cut in the run's zone).
 */
export function buildActiveUsersReconcile(stats: TenantStats, day: string, mau30d: number, activeUsers30d: number, meta: SummaryMeta): SummaryEnvelope {
  return reconcileEnvelope(stats, reconcileFigure(stats.tenant, day, 'active_users_30d', mau30d, activeUsers30d, stats.tolerancePercent), meta);
}

/** auth0_active_users for the day (in the stats zone) of the call at `asOf`. */
export function buildAuth0ActiveUsersSummary(stats: TenantStats, activeUsers30d: number, asOf: Date, meta: SummaryMeta): SummaryEnvelope {
  const range = new DayRangeCache(stats.statsTimezone).rangeOf(asOf.getTime());
  const event: Auth0ActiveUsersEvent = {
    ...bucketFields('auth0_active_users', stats.tenant, range, stats.statsTimezone, meta),
    active_users_30d: activeUsers30d,
    as_of: asOf.toISOString(),
  };
  return bucketEnvelope(event, range, stats.host, meta);
}
