import type { UsageConfig } from '../config/schema';
import { buildActiveUsersSummary } from './activeUsersSummary';
import { ActiveUsersWindow, lastDependentDay, thirtyDayStart, windowStart } from './activeUsersWindow';
import type { TenantDayBucket } from './bucketEnvelope';
import { addDays, earlierDay, firstOfMonth, laterDay, monthOf } from './calendarDay';
import type { DayAggregate } from './dayAggregate';
import { QUOTA_METRICS, quotaFigures, quotaLimit } from './quotaFigures';
import { buildQuotaSummary } from './quotaSummary';
import { buildDaySummaries, type SummaryMeta } from './summaryBuilder';
import type { SummaryEnvelope } from './summaryEvent';
import type { DaySlot, DayStore } from './dayStore';
import type { LogIdSet } from './logIdSet';
import type { LogDayCounts } from './reconcile';
import { fingerprintOf } from '../support/fingerprint';

export interface SummaryPassOptions {
  store: DayStore;
  timezone: string;
  config: Pick<UsageConfig, 'quotas' | 'quotaThresholds'>;
  meta: SummaryMeta;
  /**
   * Takes each changed tenant-day once merged with what was committed: its figures and every log_id it holds now
   * (the state stages them for its commit). Omitted for a run without state.
   */
  onDayMerged?(slot: DaySlot, merged: DayAggregate, ids: LogIdSet): void;
  /**
   * Takes each tenant-day's summaries as soon as they are built (daily, m2m, event_type, active_users, quota),
   * so the pass never holds more than one day's: a year's backfill has tens of thousands of them.
   */
  emit(summaries: SummaryEnvelope[]): Promise<void>;
  /**
   * Whether to compute the fingerprints of the window summaries (SummaryPassResult.emitted) [true]. Only a run with
   * state keeps them; without one, a JSON text and a hash per window summary are work for nothing.
   */
  fingerprints?: boolean;
  /**
   * Whether to gather reconcile inputs (SummaryPassResult.reconcile) [true]. Only a run that reads Auth0's statistics
   * uses them; without one, a map, a set and a list a tenant would be built for nothing.
   */
  reconcile?: boolean;
  /** The latest complete day of the API (the day before the stats call): its mau_30d is kept for reconcile. */
  activeUsersDay?: string;
}

export interface SummaryPassResult {
  /** Summaries given to emit(). */
  summaries: number;
  /** Tenant-days that received records in this run. */
  changedDays: number;
  /** Fingerprints of the window summaries computed in this run, by slot ("active_users", "quota:<metric>"); empty
   *  when not asked for (`fingerprints: false`). */
  emitted: Map<DaySlot, Record<string, string>>;
  /** Most days the active-user window held at once. */
  peakWindowDays: number;
  /** By tenant with changed days: what reconcile needs (see ReconcileInputs); empty when not asked for (`reconcile: false`). */
  reconcile: Map<string, ReconcileInputs>;
}

/** One tenant's figures for reconcile, by the API's day (auth0.statsTimezone). */
export interface ReconcileInputs {
  /** The days of this run's changed tenant-days (named in the run's zone; compared as the API's days). */
  days: string[];
  /** Our counts by API day, from every tenant-day the pass went through (a changed day's neighbours included). */
  counts: Map<string, LogDayCounts>;
  /** API days whose counts are unknown: a tenant-day overlapping them was stored without them (state version 1). */
  unknown: Set<string>;
  /** mau_30d of `activeUsersDay` when the pass went through that tenant-day. */
  activeUsers30d?: { day: string; mau30d: number };
}

/**
 * Adds one pass's reconcile inputs to those of earlier passes of the same run (checkpoints): days are joined, and a
 * later pass's count of an API day supersedes an earlier one's, since the later pass merged what was committed.
 */
export function mergeReconcileInputs(into: Map<string, ReconcileInputs>, next: ReadonlyMap<string, ReconcileInputs>): void {
  for (const [tenant, inputs] of next) {
    const held = into.get(tenant);
    if (held === undefined) {
      into.set(tenant, { days: [...inputs.days], counts: new Map(inputs.counts), unknown: new Set(inputs.unknown), ...(inputs.activeUsers30d ? { activeUsers30d: inputs.activeUsers30d } : {}) });
      continue;
    }
    for (const day of inputs.days) if (!held.days.includes(day)) held.days.push(day);
    held.days.sort();
    for (const [day, counts] of inputs.counts) {
      held.counts.set(day, counts);
      held.unknown.delete(day);
    }
    for (const day of inputs.unknown) held.unknown.add(day);
    if (inputs.activeUsers30d) held.activeUsers30d = inputs.activeUsers30d;
  }
}

/** What identifies a version of a summary: everything but when and by which run it was generated. */
function versionOf(envelope: SummaryEnvelope): string {
  return JSON.stringify({ ...envelope, event: { ...envelope.event, generated_at: undefined, run_id: undefined } });
}

function flatten(day: ReturnType<typeof buildDaySummaries>): SummaryEnvelope[] {
  return [day.daily, ...day.m2m, ...day.eventTypes, ...(day.coverage ? [day.coverage] : [])];
}

/**
 * Builds the run's summaries tenant by tenant in day order, handing each day's to emit() as soon as it is built.
 * A changed day emits those of its daily, m2m and event_type summaries that differ from the committed version
 * (all of them without state). Each later day whose 30-day window or month reaches back to a changed day gets its
 * active_users and quota summaries recomputed, emitted when their figures differ from the version last emitted.
 * Days are loaded one at a time; the window holds the active user ids of 30 days at most.
 */
export async function runSummaryPass(options: SummaryPassOptions): Promise<SummaryPassResult> {
  const { store, timezone: tz, config, meta } = options;
  const fingerprints = options.fingerprints ?? true;
  const gatherReconcile = options.reconcile ?? true;
  let summaries = 0;
  const emitted = new Map<DaySlot, Record<string, string>>();
  let changedDays = 0;
  let peakWindowDays = 0;
  const reconcile = new Map<string, ReconcileInputs>();

  for (const tenant of store.tenants()) {
    const slots = store.slotsOf(tenant);
    const changed = slots.filter((slot) => slot.changed);
    if (changed.length === 0) continue;
    changedDays += changed.length;
    const coverageStart = slots[0]!.day;
    // From where the first changed day's windows start to the last day whose windows reach a changed one.
    // A changed day before the first day committed earlier moves the start of the data back: window_complete changes
    // on every later day whose windows begin before that first day, changed or not.
    const firstStored = slots.find((slot) => slot.stored !== undefined)?.day;
    const completeReach = firstStored !== undefined && changed[0]!.day < firstStored ? lastDependentDay(addDays(firstStored, -1)) : '';
    const reach = laterDay(lastDependentDay(changed[changed.length - 1]!.day), completeReach);
    let from = windowStart(changed[0]!.day);
    // The latest complete day's mau_30d is reconciled with Auth0's: go through its whole window when the pass reaches it.
    const activeUsersDay = gatherReconcile ? options.activeUsersDay : undefined;
    if (activeUsersDay !== undefined && activeUsersDay >= from && activeUsersDay <= reach) {
      from = earlierDay(from, thirtyDayStart(activeUsersDay));
    }
    const window = new ActiveUsersWindow();
    const inputs: ReconcileInputs | undefined = gatherReconcile ? { days: changed.map((slot) => slot.day), counts: new Map(), unknown: new Set() } : undefined;
    if (inputs !== undefined) reconcile.set(tenant, inputs);
    let latestChanged = '';
    let month = '';
    let billableInMonth = 0;

    for (const slot of slots) {
      if (slot.day < from) continue;
      if (slot.day > reach) break;
      // The day's summaries in kind, dimension order.
      const out: SummaryEnvelope[] = [];
      let aggregate: DayAggregate;
      if (slot.changed) {
        latestChanged = slot.day;
        aggregate = await mergeChangedDay(slot, options, out);
      } else {
        aggregate = await store.storedAggregate(slot)!;
      }
      if (inputs !== undefined) addReconcileCounts(inputs, slot.day, aggregate);
      const figures = window.add(slot.day, aggregate.activeUserIdList());
      // Only when the pass fed the whole 30-day window of that day: a later part of the run may start inside it.
      if (inputs !== undefined && slot.day === options.activeUsersDay && from <= thirtyDayStart(slot.day)) {
        inputs.activeUsers30d = { day: slot.day, mau30d: figures.mau30d };
      }
      peakWindowDays = Math.max(peakWindowDays, window.daysHeld);
      if (monthOf(slot.day) !== month) {
        month = monthOf(slot.day);
        billableInMonth = 0;
      }
      billableInMonth += aggregate.billableM2mTokens();
      if (latestChanged === '') continue;

      const bucket: TenantDayBucket = { tenant, range: slot.range, tz, host: aggregate.host() };
      const before = slot.stored?.emitted ?? {};
      const now: Record<string, string> = {};
      const offer = (key: string, envelope: SummaryEnvelope, into: SummaryEnvelope[]) => {
        if (!fingerprints && before[key] === undefined) return void into.push(envelope);
        now[key] = fingerprintOf(versionOf(envelope));
        if (before[key] !== now[key]) into.push(envelope);
      };
      // Its 30-day window or its month reaches back to a changed day (the 31st's month reaches the 1st, 30 days back).
      if (slot.day <= lastDependentDay(latestChanged) || slot.day <= completeReach) {
        const complete = coverageStart <= windowStart(slot.day);
        offer('active_users', buildActiveUsersSummary(bucket, figures, complete, meta), out);
      }
      // Its month reaches back to a changed day, or the data now starts earlier (the month may have become complete).
      if (monthOf(slot.day) === monthOf(latestChanged) || slot.day <= completeReach) {
        const monthComplete = coverageStart <= firstOfMonth(slot.day);
        for (const metric of QUOTA_METRICS) {
          const used = metric === 'active_users' ? figures.mauMonth : billableInMonth;
          const quota = quotaFigures(metric, used, quotaLimit(config.quotas, tenant, metric), slot.day, config.quotaThresholds);
          offer(`quota:${metric}`, buildQuotaSummary(bucket, metric, quota, monthComplete, meta), out);
        }
      }
      if (Object.keys(now).length > 0) emitted.set(slot, now);
      if (out.length > 0) {
        summaries += out.length;
        await options.emit(out);
      }
    }
    if (inputs !== undefined) keepWholeApiDays(inputs, from, reach);
  }
  return { summaries, changedDays, emitted, peakWindowDays, reconcile };
}

/**
 * Drops the counts of API days the pass saw only part of: a local day overlaps the API days before and after its
 * own (a zone is under a day off), so an API day is whole only when the local days either side of it were gone
 * through too. A part of the run whose window starts or ends mid-way through an API day would otherwise replace an
 * earlier part's whole count of it (mergeReconcileInputs keeps a later pass's count).
 */
function keepWholeApiDays(inputs: ReconcileInputs, from: string, reach: string): void {
  for (const day of [...inputs.counts.keys()]) {
    if (addDays(day, -1) < from || addDays(day, 1) > reach) inputs.counts.delete(day);
  }
}

/** Adds a tenant-day's counts by API day; a day without them makes its API days (a zone is under a day off) unknown. */
function addReconcileCounts(inputs: ReconcileInputs, day: string, aggregate: DayAggregate): void {
  const byDay = aggregate.statsDays();
  const near = [addDays(day, -1), day, addDays(day, 1)];
  if (byDay === null) {
    for (const apiDay of near) inputs.unknown.add(apiDay);
    return;
  }
  // Every API day it overlaps is known, with none of its records counted when it holds none (a day of M2M tokens
  // only): a day waiting for Auth0's statistics is reconciled once its counts are known (keepWholeApiDays).
  for (const apiDay of near) if (!inputs.counts.has(apiDay)) inputs.counts.set(apiDay, { logins: 0, signups: 0, breached_passwords: 0 });
  for (const [statsDay, counts] of byDay) {
    const into = inputs.counts.get(statsDay) ?? { logins: 0, signups: 0, breached_passwords: 0 };
    into.logins += counts.logins;
    into.signups += counts.signups;
    into.breached_passwords += counts.breached_passwords;
    inputs.counts.set(statsDay, into);
  }
}

/** Merges a changed day's delta into its committed aggregate, adds what changed to `out` and hands on the result. */
async function mergeChangedDay(slot: DaySlot, options: SummaryPassOptions, out: SummaryEnvelope[]): Promise<DayAggregate> {
  const { store, timezone: tz, meta } = options;
  const work = store.finish(slot);
  const committed = await store.storedAggregate(slot);
  const previous = new Map<string, string>();
  if (committed !== undefined) {
    for (const envelope of flatten(buildDaySummaries(committed, tz, meta))) {
      previous.set((envelope.event as { summary_id: string }).summary_id, versionOf(envelope));
    }
  }
  const merged = committed === undefined ? work.delta : committed.merge(work.delta);
  const day = buildDaySummaries(merged, tz, meta);
  // A day nothing was committed for has only new summaries: no version to compare.
  const fresh = (envelope: SummaryEnvelope) => previous.size === 0 || previous.get((envelope.event as { summary_id: string }).summary_id) !== versionOf(envelope);
  // A loop, not push(...list): a day may hold hundreds of thousands of event types, past the call stack's limit.
  for (const envelope of flatten(day)) if (fresh(envelope)) out.push(envelope);
  options.onDayMerged?.(slot, merged, work.ids);
  return merged;
}
