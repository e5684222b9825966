import { IANAZone } from 'luxon';
import type { UsageConfig } from '../config/schema';
import { AudiencePolicy } from './audiencePolicy';
import { CategoryLookup } from './categoryLookup';
import { DayAggregateTable } from './dayAggregateTable';
import { DayRangeCache } from './dayRange';
import { DayWindow, DayWindowError } from './dayWindow';
import { isKnownEventType } from './knownEventTypes';
import { LogIdSet } from './logIdSet';
import { PendingObjectRollup, type ObjectRollup, type RollupContext, type RollupCounters } from './objectRollup';
import { buildDaySummaries, type SummaryMeta } from './summaryBuilder';
import type { SummaryEnvelope } from './summaryEvent';

export type { ObjectRollup, RollupCounters } from './objectRollup';
export type { SummaryMeta } from './summaryBuilder';

export interface RollupOptions {
  config: UsageConfig;
  /** IANA zone that days are cut in. */
  timezone: string;
  /** First day summarized, YYYY-MM-DD in `timezone` (inclusive). */
  from?: string;
  /** Last day summarized, YYYY-MM-DD in `timezone` (inclusive). */
  to?: string;
}

/** Thrown for a zone or --from/--to the rollup cannot use. */
export class RollupOptionsError extends Error {
  override readonly name = 'RollupOptionsError';
}

/**
 * A run's rollup. Each input object feeds its own partial (beginObject); committed partials are merged
 * into the run's tenant-day aggregates. De-duplication spans the whole run.
 */
export class UsageRollup {
  private readonly table = new DayAggregateTable();
  private readonly committed: RollupCounters = { records: 0, duplicates: 0, outOfRange: 0 };
  private readonly context: RollupContext;
  private readonly timezone: string;

  constructor(options: RollupOptions) {
    if (!IANAZone.isValidZone(options.timezone)) {
      throw new RollupOptionsError(`"${options.timezone}" is not a known IANA time zone`);
    }
    this.timezone = options.timezone;
    let window: DayWindow;
    try {
      window = new DayWindow(options.timezone, options.from, options.to);
    } catch (error) {
      if (error instanceof DayWindowError) throw new RollupOptionsError(error.message);
      throw error;
    }
    this.context = {
      categories: new CategoryLookup(options.config.categories),
      audiences: new AudiencePolicy(options.config.nonBillableAudiences),
      days: new DayRangeCache(options.timezone),
      window,
      logIds: new LogIdSet(),
      commitPartial: (partial, counters) => {
        this.table.merge(partial);
        this.committed.records += counters.records;
        this.committed.duplicates += counters.duplicates;
        this.committed.outOfRange += counters.outOfRange;
      },
    };
  }

  /** A partial for one input object: its records are claimed for de-duplication at once, counted on commit(). */
  beginObject(): ObjectRollup {
    return new PendingObjectRollup(this.context);
  }

  /** Counters of committed objects only (a copy). */
  get counters(): RollupCounters {
    return { ...this.committed };
  }

  /** Summarized type codes missing from Auth0's known list, sorted. */
  unknownTypes(): string[] {
    const unknown = new Set<string>();
    for (const aggregate of this.table.aggregates()) {
      for (const [type] of aggregate.eventTypes()) if (!isKnownEventType(type)) unknown.add(type);
    }
    return [...unknown].sort();
  }

  /** Distinct (tenant, day) pairs summarized. */
  tenantDays(): number {
    return this.table.size;
  }

  /** The daily, m2m and event_type events (not run), by kind, then tenant, day and dimensions. */
  summaries(meta: SummaryMeta): SummaryEnvelope[] {
    const daily: SummaryEnvelope[] = [];
    const m2m: SummaryEnvelope[] = [];
    const eventTypes: SummaryEnvelope[] = [];
    for (const aggregate of this.table.sorted()) {
      const day = buildDaySummaries(aggregate, this.timezone, meta);
      daily.push(day.daily);
      for (const event of day.m2m) m2m.push(event);
      for (const event of day.eventTypes) eventTypes.push(event);
    }
    return [...daily, ...m2m, ...eventTypes];
  }
}
