import { statsTimezoneOf, type UsageConfig } from '../config/schema';
import type { RecordFieldsRead } from '../decode/recordFields';
import type { WorkerAggregation } from '../decode/objectAggregator';
import { ACTIVE_USER_CATEGORY_MASK, M2M_CATEGORY_MASK } from './categoryLookup';
import { type AggregationSettings, classifiersFrom, workerAggregation } from './objectAggregates';
import { countedWindow, DayWindow, DayWindowError } from './dayWindow';
import { isKnownEventType } from './knownEventTypes';
import { LogIdSet } from './logIdSet';
import { isKnownTimeZone } from '../support/timeZone';
import { DayObjectRollup, type DayRollupContext, type DayRollupCounters } from './dayObjectRollup';
import type { DaySlot, DayStore } from './dayStore';
import { Auth0UsageError } from '../support/errors';

export interface DayRollupOptions {
  config: UsageConfig;
  /** IANA zone that days are cut in. */
  timezone: string;
  /** First day summarized, YYYY-MM-DD in `timezone` (inclusive). */
  from?: string;
  /** Last day summarized, YYYY-MM-DD in `timezone` (inclusive). */
  to?: string;
  /** The run's tenant-days (with the committed ones of a state). */
  store: DayStore;
  /** Called once per committed day whose earlier log_ids are gone, when a record for it arrives. */
  onUncheckedDay?(slot: DaySlot): void;
}

/** Thrown for a zone or --from/--to the rollup cannot use. */
export class RollupOptionsError extends Auth0UsageError {
  static override readonly code: string = 'ERR_ROLLUP_OPTIONS';
  static override readonly exitCode: 1 | 2 = 2;
}

/** The instants the run summarizes, checking the zone first (an unknown zone would only fail at the first record). */
function summarizedWindow({ timezone, from, to }: DayRollupOptions): DayWindow {
  if (!isKnownTimeZone(timezone)) throw new RollupOptionsError(`"${timezone}" is not a known IANA time zone`);
  try {
    return new DayWindow(timezone, from, to);
  } catch (error) {
    if (error instanceof DayWindowError) throw new RollupOptionsError(error.message);
    throw error;
  }
}

/**
 * A run's rollup over tenant-day slots. Each input object feeds its own partial (beginObject), whose figures
 * join the run on commit(). De-duplication spans the run and earlier runs (through the slots' stored log_ids);
 * the working sets live in a bounded DayStore instead of all in memory.
 */
export class DayRollup {
  private readonly committed: DayRollupCounters = { records: 0, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 };
  private readonly unknown = new Set<string>();
  private context: DayRollupContext;
  private readonly aggregation: WorkerAggregation;
  private readonly timezone: string;

  constructor(options: DayRollupOptions) {
    const settings: AggregationSettings = {
      categories: options.config.categories,
      nonBillableAudiences: options.config.nonBillableAudiences,
      timezone: options.timezone,
      // Reconcile counts are cut by the API's day boundary whatever --timezone is (default UTC).
      statsTimezone: statsTimezoneOf(options.config),
    };
    this.aggregation = workerAggregation(settings);
    this.timezone = options.timezone;
    this.context = {
      ...classifiersFrom(settings),
      window: summarizedWindow(options),
      store: options.store,
      outOfRangeIds: new LogIdSet(),
      uncheckedDay: (slot) => {
        if (slot.warned) return;
        slot.warned = true;
        options.onUncheckedDay?.(slot);
      },
      commitPartial: (partial) => {
        const { counters } = partial;
        this.committed.records += counters.records;
        this.committed.duplicates += counters.duplicates;
        this.committed.outOfRange += counters.outOfRange;
        this.committed.dedupUnavailable += counters.dedupUnavailable;
        for (const aggregate of partial.table.aggregates()) {
          for (const type of aggregate.eventTypeNames()) if (!isKnownEventType(type)) this.unknown.add(type);
        }
      },
    };
  }

  /**
   * Continues into a fresh store after a checkpoint committed the previous one's days (the new store sees them as
   * committed). Counters, unknown types and the out-of-range log_ids carry on: they are the whole run's.
   */
  useStore(store: DayStore): void {
    this.context = { ...this.context, store };
  }

  /** How a decode thread adds the figures of an object's records itself (DayObjectRollup.claim and adopt). */
  get workerAggregation(): WorkerAggregation {
    return this.aggregation;
  }

  /** What the summaries read of a record (DayAggregate.add, DayObjectRollup.add): its decoder may leave out the rest. */
  get fieldsRead(): RecordFieldsRead {
    const { categories } = this.context;
    return { userIdTypes: categories.typesIn(ACTIVE_USER_CATEGORY_MASK), clientTypes: categories.typesIn(M2M_CATEGORY_MASK), logIdText: false };
  }

  /**
   * `countedFor`: the days (readDaysKey, or several such ranges joined by commas) whose records of this object an
   * earlier run counted (ObjectIndex.countedFor).
   */
  beginObject(_object?: unknown, countedFor?: string): DayObjectRollup {
    return new DayObjectRollup(this.context, countedFor === undefined ? undefined : countedWindow(this.timezone, countedFor));
  }

  /** Counters of committed objects only (a copy). */
  get counters(): DayRollupCounters {
    return { ...this.committed };
  }

  /** Type codes of this run's records missing from Auth0's known list, sorted. */
  unknownTypes(): string[] {
    return [...this.unknown].sort();
  }
}
