/**
 * Our log-derived figures beside Auth0's own (stats/daily, stats/active-users), one row per tenant, day and
 * metric. Which log types feed each API counter is not documented; the mapping used and why is in
 * docs/auth0-stats.md.
 */

export type ReconcileMetric = 'logins' | 'signups' | 'breached_passwords' | 'active_users_30d';
export type DailyReconcileMetric = Exclude<ReconcileMetric, 'active_users_30d'>;

export type ReconcileStatus = 'match' | 'within_tolerance' | 'mismatch' | 'missing_logs' | 'missing_auth0';

export const DAILY_RECONCILE_METRICS: readonly DailyReconcileMetric[] = ['logins', 'signups', 'breached_passwords'];

/** The log event types counted for each stats/daily counter (see docs/auth0-stats.md). */
export const RECONCILE_EVENT_TYPES: Readonly<Record<DailyReconcileMetric, readonly string[]>> = {
  logins: ['s'],
  signups: ['ss'],
  breached_passwords: ['pwd_leak', 'signup_pwd_leak', 'reset_pwd_leak'],
};

/** Log type → the metric it feeds, for counting while the records are read. */
export const RECONCILE_METRIC_OF_TYPE: ReadonlyMap<string, DailyReconcileMetric> = new Map(
  DAILY_RECONCILE_METRICS.flatMap((metric) => RECONCILE_EVENT_TYPES[metric].map((type) => [type, metric] as const)),
);

export type LogDayCounts = Record<DailyReconcileMetric, number>;

/** Our counts for one day from its per-event-type counts. */
export function reconcileCounts(typeCounts: ReadonlyMap<string, number>): LogDayCounts {
  const sum = (types: readonly string[]) => types.reduce((total, type) => total + (typeCounts.get(type) ?? 0), 0);
  return { logins: sum(RECONCILE_EVENT_TYPES.logins), signups: sum(RECONCILE_EVENT_TYPES.signups), breached_passwords: sum(RECONCILE_EVENT_TYPES.breached_passwords) };
}

/** The parts of a stats/daily row reconciled; `leaked_passwords` is absent without the subscription. */
export interface Auth0DayFigures {
  day: string;
  logins: number;
  signups: number;
  leaked_passwords?: number;
}

export interface ReconcileRow {
  tenant: string;
  day: string;
  metric: ReconcileMetric;
  /** Our figure (0 when the archives have no record of that day). */
  logs: number;
  /** Auth0's figure; null when the API has none (`missing_auth0`). */
  auth0: number | null;
  /** logs − auth0; null when auth0 is. */
  delta: number | null;
  /**
   * delta as a percentage of Auth0's figure, two decimals; null when auth0 is null or 0 (no base to
   * measure against: any difference from 0 is a `mismatch`).
   */
  delta_percent: number | null;
  tolerance_percent: number;
  status: ReconcileStatus;
}

/** One metric: how our figure compares with Auth0's. */
export function reconcileFigure(
  tenant: string,
  day: string,
  metric: ReconcileMetric,
  logs: number,
  auth0: number | null | undefined,
  tolerancePercent: number,
): ReconcileRow {
  const row = { tenant, day, metric, logs, tolerance_percent: tolerancePercent };
  if (auth0 === null || auth0 === undefined) return { ...row, auth0: null, delta: null, delta_percent: null, status: 'missing_auth0' };
  const delta = logs - auth0;
  const deltaPercent = auth0 === 0 ? null : Math.round((delta / auth0) * 10_000) / 100;
  let status: ReconcileStatus;
  if (delta === 0) status = 'match';
  else if (logs === 0) status = 'missing_logs';
  else if (deltaPercent !== null && Math.abs(deltaPercent) <= tolerancePercent) status = 'within_tolerance';
  else status = 'mismatch';
  return { ...row, auth0, delta, delta_percent: deltaPercent, status };
}

/**
 * Rows for each of `days` (the days the run summarized, in the API's day boundary) and each daily metric.
 * A day missing from `ours` counts as no records; a day missing from `auth0` gives `missing_auth0`.
 */
export function reconcileDays(
  tenant: string,
  days: readonly string[],
  ours: ReadonlyMap<string, LogDayCounts>,
  auth0: readonly Auth0DayFigures[],
  tolerancePercent: number,
): ReconcileRow[] {
  const apiByDay = new Map(auth0.map((row) => [row.day, row]));
  const rows: ReconcileRow[] = [];
  for (const day of [...days].sort()) {
    const logs = ours.get(day);
    const api = apiByDay.get(day);
    const apiFigure: Record<DailyReconcileMetric, number | undefined> = {
      logins: api?.logins,
      signups: api?.signups,
      breached_passwords: api?.leaked_passwords,
    };
    for (const metric of DAILY_RECONCILE_METRICS) {
      rows.push(reconcileFigure(tenant, day, metric, logs?.[metric] ?? 0, apiFigure[metric], tolerancePercent));
    }
  }
  return rows;
}
