import path from 'node:path';
import type { LogRecord } from '../decode/logRecord';
import type { ObjectAggregator, WorkerAggregation } from '../decode/objectAggregator';
import type { UsageConfig } from '../config/schema';
import { AudiencePolicy } from './audiencePolicy';
import { CategoryLookup, M2M_CATEGORY_MASK } from './categoryLookup';
import type { DayAggregate } from './dayAggregate';
import type { DayAggregateJson } from './dayAggregateJson';
import { DayAggregateTable } from './dayAggregateTable';
import { DayRangeCache } from './dayRange';

/** What the figures of one object's records depend on besides the records: the same in every thread of a run. */
export interface AggregationSettings {
  categories: UsageConfig['categories'];
  nonBillableAudiences: readonly string[];
  /** The zone days are cut in (--timezone). */
  timezone: string;
  /** The zone of Auth0's stats days, by which reconcile counts are kept. */
  statsTimezone: string;
}

/** The classifiers a run's objects are counted with, built once per thread. */
export interface Classifiers {
  readonly categories: CategoryLookup;
  readonly audiences: AudiencePolicy;
  readonly days: DayRangeCache;
  readonly statsDays: DayRangeCache;
}

export function classifiersFrom(settings: AggregationSettings): Classifiers {
  return {
    categories: new CategoryLookup(settings.categories),
    audiences: new AudiencePolicy(settings.nonBillableAudiences),
    days: new DayRangeCache(settings.timezone),
    statsDays: new DayRangeCache(settings.statsTimezone),
  };
}

/**
 * The figures of one object's counted records, by tenant-day: what DayObjectRollup adds a record to once its log_id
 * is claimed. On the main thread it is the partial's own table; on a decode thread (WorkerAggregation) the same
 * code runs there and its result() crosses back as the days' scratch form.
 */
export class ObjectAggregates implements ObjectAggregator {
  readonly table = new DayAggregateTable();
  private readonly statsDayOf: (epochMs: number) => string;

  constructor(private readonly classifiers: Classifiers) {
    this.statsDayOf = (epochMs) => classifiers.statsDays.rangeOf(epochMs).day;
  }

  add(record: LogRecord): void {
    this.addTo(this.table.aggregateFor(record.tenant, this.classifiers.days.rangeOf(record.dateMs)), record);
  }

  /** add() when the record's aggregate in the table is known already (DayObjectRollup finds it by its day's slot). */
  addTo(aggregate: DayAggregate, record: LogRecord): void {
    const { categories, audiences } = this.classifiers;
    const flags = categories.flagsOf(record.type);
    const billable = (flags & M2M_CATEGORY_MASK) !== 0 && audiences.isBillable(record.audience);
    aggregate.add(record, flags, billable, this.statsDayOf);
  }

  result(): DayAggregateJson[] {
    return [...this.table.aggregates()].map((aggregate) => aggregate.toScratchJSON());
  }
}

/**
 * This module, as a decode thread loads it: the compiled .js next to this file, or, running from the TypeScript
 * sources (the tests), the build's copy in dist/, as the decode thread itself is (decodeWorkerPool's startWorker).
 */
function compiledModule(): string {
  if (path.extname(__filename) === '.js') return __filename;
  return path.resolve(__dirname, '../../dist/rollup/objectAggregates.js');
}

/**
 * Objects below this size (as stored) are added up on the main thread even with --aggregate-on-decode-threads. 5,000
 * objects of 40 records (about 8 KB of gzip each) took twice as long added up on their threads (docs/performance.md);
 * 1 MiB of gzip is several thousand records, against the 2,048 of one claim batch.
 */
export const AGGREGATE_FROM_OBJECT_BYTES = 1024 * 1024;
let aggregateFromObjectBytes = AGGREGATE_FROM_OBJECT_BYTES;

/** Sets the size from which objects are added up on their decode threads (tests: their fixtures are small); returns the previous one. */
export function setAggregateFromObjectBytes(bytes: number): number {
  const previous = aggregateFromObjectBytes;
  aggregateFromObjectBytes = bytes;
  return previous;
}

/** How a decode thread counts a run's objects for it (DecodeOptions.aggregation). */
export function workerAggregation(settings: AggregationSettings): WorkerAggregation {
  return { module: compiledModule(), settings, minObjectBytes: aggregateFromObjectBytes };
}

/** Called by a decode thread that loaded this module, once per object (see WorkerAggregation). */
let threadClassifiers: { settings: string; classifiers: Classifiers } | undefined;
export function createObjectAggregator(settings: unknown): ObjectAggregator {
  // Objects of one run share their settings: the audience memo and day caches carry over from object to object.
  const text = JSON.stringify(settings);
  if (threadClassifiers === undefined || threadClassifiers.settings !== text) {
    threadClassifiers = { settings: text, classifiers: classifiersFrom(settings as AggregationSettings) };
  }
  return new ObjectAggregates(threadClassifiers.classifiers);
}
