/**
 * The run's Auth0 statistics step: for each configured tenant, stats/daily over the days the run summarized
 * and stats/active-users, turned into auth0_daily, auth0_active_users and reconcile summaries. A tenant whose
 * API cannot be read is listed in the run event and the run goes on; credentials that do not work stop it.
 */
import { buildAuth0ActiveUsersSummary, buildAuth0DaySummaries, buildActiveUsersReconcile, type Auth0DailyRow } from '../rollup/auth0Summaries';
import { addDays } from '../rollup/calendarDay';
import { DayRangeCache } from '../rollup/dayRange';
import type { SummaryMeta } from '../rollup/summaryBuilder';
import { AUTH0_STATS_ERRORS_LISTED, type RunEvent, type SummaryEnvelope } from '../rollup/summaryEvent';
import type { ReconcileInputs } from '../rollup/summaryPass';
import { Auth0UsageError } from '../support/errors';
import type { Logger } from '../support/logger';

/** One tenant's statistics, as the CLI wires them (the Management API client lives in src/auth0). */
export interface Auth0StatsSource {
  tenant: string;
  /** The envelope's host: the tenant's domain without a port. */
  host: string;
  /** `signal` is the run's stop: a call or retry wait under way then rejects with its reason at once. */
  dailyStats(fromDay: string, toDay: string, signal?: AbortSignal): Promise<Auth0DailyRow[]>;
  activeUsers(signal?: AbortSignal): Promise<number>;
}

export interface Auth0StatsOptions {
  sources: readonly Auth0StatsSource[];
  tolerancePercent: number;
  statsTimezone: string;
  /** Whether an error means the settings are wrong (secret, scope): the run fails instead of going on. */
  isCredentialsError(err: unknown): boolean;
}

export interface Auth0StatsOutcome {
  summaries: SummaryEnvelope[];
  errors: NonNullable<RunEvent['auth0_stats_errors']>;
  /**
   * By configured tenant, the API days still to be read: those of a tenant that could not be read, those not over
   * yet, and earlier runs' days this run walked no counts for (StateManifest.auth0Pending).
   */
  pending: Record<string, string[]>;
  /** Set when credentials or scope were refused: the run fails with it. */
  fatal?: Error;
}

/** The day before `at`'s day in `tz`: the API's latest complete day at that instant. */
export function dayBefore(at: Date, tz: string): string {
  return addDays(new DayRangeCache(tz).rangeOf(at.getTime()).day, -1);
}

/**
 * How long an API day may wait for its statistics: a run has our counts of the days its summary pass walks (the
 * 30-day windows of the days it changed), so an older day waiting would wait for good.
 */
export const PENDING_DAYS = 31;

/**
 * How long a day that is over, and that stats/daily answered without a row for, is asked for again: Auth0 may not
 * have rolled it up yet at the call (a run soon after midnight), so the next run asks again, as after a 5xx. A tenant
 * may also never have a row for a day (Auth0 does not document when it writes one), so asking stops once the day
 * ended this many days before the call, and its `missing_auth0` reconcile rows stand.
 */
export const MISSING_ROW_DAYS = 3;

function codeOf(err: unknown): string {
  return err instanceof Auth0UsageError ? err.code : 'ERR_AUTH0_USAGE';
}

export async function readAuth0Stats(
  options: Auth0StatsOptions,
  reconcile: ReadonlyMap<string, ReconcileInputs>,
  /** The days earlier runs left waiting (StateManifest.auth0Pending); undefined without a --state, which keeps none. */
  waitingDays: Readonly<Record<string, readonly string[]>> | undefined,
  meta: SummaryMeta,
  now: () => Date,
  log: Logger,
  /**
   * The run's stop (SIGTERM): the API waits end at once and the tenants not read yet fail with its reason, so their
   * days wait for the next run (with --state) like any unreadable tenant's, and the run still commits in time.
   */
  signal?: AbortSignal,
  /** Tenants the run or its state has days of: one of them without records tonight is a quiet tenant, not a typo. */
  knownTenants?: ReadonlySet<string>,
): Promise<Auth0StatsOutcome> {
  const summaries: SummaryEnvelope[] = [];
  const failed: Array<{ tenant: string; code: string }> = [];
  const pending: Record<string, string[]> = {};
  let fatal: Error | undefined;
  // Without a state, the days this run could not reconcile are not kept: only a later run over them reads them.
  const remembered = waitingDays !== undefined;
  const waiting = waitingDays ?? {};
  const missingRowText = remembered
    ? 'stats/daily has no row for these days yet: missing_auth0 for now, and the next run asks for them again'
    : 'stats/daily has no row for these days: missing_auth0, and nothing is kept without --state (a later run over these days asks again)';
  const openDayText = remembered
    ? 'the API day is not over yet: its statistics are read by the next run'
    : 'the API day is not over yet: not reconciled, and nothing is kept without --state (a later run over this day reconciles it)';
  const failedText = remembered
    ? 'could not read Auth0 statistics: the log summaries go on without them, and the next run asks for these days again'
    : 'could not read Auth0 statistics: the log summaries go on without them; nothing is kept without --state (a later run over these days asks for them again)';
  // The API's current day is not over: Auth0's row holds what it counted so far and our archives what arrived so
  // far, cut at other instants, so comparing them raises mismatches that mean nothing. Such a day waits for a later
  // run (a nightly run's next night).
  const openDay = new DayRangeCache(options.statsTimezone).rangeOf(now().getTime()).day;
  const oldest = addDays(openDay, -PENDING_DAYS);
  const oldestMissingRow = addDays(openDay, -MISSING_ROW_DAYS);
  for (const source of options.sources) {
    const stats = { tenant: source.tenant, host: source.host, statsTimezone: options.statsTimezone, tolerancePercent: options.tolerancePercent };
    const inputs = reconcile.get(source.tenant);
    // Other tenants had records and this one none, ever: quite possibly a configured name that is not the logs'
    // tenant name (a typo, or the domain's label where the logs carry tenant_name), which would never be reconciled.
    if (inputs === undefined && reconcile.size > 0 && knownTenants?.has(source.tenant) !== true) {
      log.warn({ tenant: source.tenant, tenants_in_logs: [...reconcile.keys()].slice(0, 10) }, 'no log records of this Auth0 statistics tenant in this run: nothing of it to reconcile (does its name match the tenant names of the logs?)');
    }
    const changed = inputs?.days ?? [];
    // Earlier runs' days: only those whose counts this run's pass walked can be reconciled now; too old ones never will.
    const earlier = (Object.hasOwn(waiting, source.tenant) ? waiting[source.tenant]! : []).filter((day) => !changed.includes(day));
    const lost = earlier.filter((day) => day < oldest);
    if (lost.length > 0) {
      log.warn({ tenant: source.tenant, days: lost.length, first: lost[0], last: lost.at(-1) }, `Auth0 statistics of these days could not be read within ${PENDING_DAYS} days: they are not reconciled`);
    }
    const recent = earlier.filter((day) => day >= oldest);
    // Over, and its counts known: this run's pass walked it.
    const ready = (day: string) => day < openDay && inputs !== undefined && (inputs.counts.has(day) || inputs.unknown.has(day));
    const kept = recent.filter((day) => !ready(day));
    const days = [...changed.filter((day) => day < openDay), ...recent.filter(ready)].sort();
    const open = changed.filter((day) => day >= openDay);
    if (open.length > 0) log.info({ tenant: source.tenant, days: open.length }, openDayText);
    pending[source.tenant] = [...open, ...kept];
    // Set once the days' auth0_daily and reconcile summaries are built: a later failure (stats/active-users) must not
    // have the next run ask for them, and send each of their summary_ids, again.
    let daysRead = false;
    try {
      if (inputs !== undefined && days.length > 0) {
        const rows = await source.dailyStats(days[0]!, days.at(-1)!, signal);
        const known = days.filter((day) => !inputs.unknown.has(day));
        if (known.length < days.length) {
          log.warn({ tenant: source.tenant, days: days.length - known.length }, 'days first stored by an older version have no counts by the API day: not reconciled');
        }
        summaries.push(...buildAuth0DaySummaries(stats, known, rows, inputs.counts, meta));
        // Days over with no row: Auth0 may not have rolled them up yet. Asked again (their reconcile rows then go out
        // again under the same summary_ids) while recent; after that their missing_auth0 stands.
        const answered = new Set(rows.map((row) => row.day));
        const missing = known.filter((day) => !answered.has(day));
        const again = remembered ? missing.filter((day) => day >= oldestMissingRow) : missing;
        const givenUp = missing.filter((day) => !again.includes(day));
        if (again.length > 0) {
          log.info({ tenant: source.tenant, days: again.length, first: again[0], last: again.at(-1) }, missingRowText);
          if (remembered) pending[source.tenant]!.push(...again);
        }
        if (givenUp.length > 0) {
          log.info(
            { tenant: source.tenant, days: givenUp.length, first: givenUp[0], last: givenUp.at(-1) },
            `stats/daily has no row for these days, more than ${MISSING_ROW_DAYS} days old: not asked for again, their missing_auth0 stands`,
          );
        }
      }
      daysRead = true;
      const activeUsers = await source.activeUsers(signal);
      summaries.push(buildAuth0ActiveUsersSummary(stats, activeUsers, now(), meta));
      // Auth0's last 30 days beside our mau_30d of the latest complete day, when this run went through that day.
      if (inputs?.activeUsers30d !== undefined) {
        summaries.push(buildActiveUsersReconcile(stats, inputs.activeUsers30d.day, inputs.activeUsers30d.mau30d, activeUsers, meta));
      }
    } catch (err) {
      if (options.isCredentialsError(err)) {
        fatal ??= err as Error;
        continue;
      }
      // Asked again by the next run (whose pass walks their counts if they are recent enough).
      if (!daysRead) pending[source.tenant]!.push(...days);
      failed.push({ tenant: source.tenant, code: codeOf(err) });
      log.error({ tenant: source.tenant, code: codeOf(err), err: (err as Error).message, days_pending: days.length }, failedText);
    }
  }
  return { summaries, errors: { count: failed.length, tenants: failed.slice(0, AUTH0_STATS_ERRORS_LISTED) }, pending, ...(fatal ? { fatal } : {}) };
}
