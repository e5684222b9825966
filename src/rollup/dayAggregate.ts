import { CATEGORY_NAMES, type CategoryName } from '../config/schema';
import type { LogRecord } from '../decode/logRecord';
import { ACTIVE_USER_CATEGORY_MASK, CATEGORY_BIT, M2M_CATEGORY_MASK } from './categoryLookup';
import type { DayRange } from './dayRange';
import { DAY_AGGREGATE_JSON_VERSION, dayAggregateJsonSchema, type DayAggregateJson } from './dayAggregateJson';
import { compareM2mBuckets, mergeM2mBucket, newM2mBucket, offerClientName, type M2mBucket } from './m2mBucket';
import { CoverageError, DayCoverage } from './coverage';
import { RECONCILE_METRIC_OF_TYPE, type LogDayCounts } from './reconcile';
import { Auth0UsageError } from '../support/errors';

/** Thrown when merging aggregates of different tenant-days or of differently classified audiences. */
export class DayAggregateMergeError extends Auth0UsageError {
  static override readonly code: string = 'ERR_DAY_AGGREGATE_MERGE';
  static override readonly internal = true;
}

/** Thrown by fromJSON() for input that is not a serialized DayAggregate of this version. */
export class DayAggregateFormatError extends Auth0UsageError {
  static override readonly code: string = 'ERR_DAY_AGGREGATE_FORMAT';
}

const CATEGORY_COUNT = CATEGORY_NAMES.length;
const M2M_TOKEN = CATEGORY_BIT.m2m_token;
const M2M_TOKEN_FAILURE = CATEGORY_BIT.m2m_token_failure;

function increment(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function sortedEntries(counts: Map<string, number>): Array<[string, number]> {
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Everything counted for one tenant on one local day. Aggregates merge (`merge`) associatively and
 * commutatively, and every derived value (host, client names) is order-free, so partial aggregates
 * built from objects read in any order combine to the same result.
 */
export class DayAggregate {
  private eventCount = 0;
  private readonly categoryCounts = new Array<number>(CATEGORY_COUNT).fill(0);
  private readonly activeUserIds = new Set<string>();
  private readonly typeCounts = new Map<string, number>();
  /**
   * The first hostname counted, and a map of the others made at the second: a tenant-day mostly has one hostname,
   * and a map for it cost 200 bytes a tenant-day, copied by young collections while a fleet's days are read.
   */
  private hostname: string | null = null;
  private hostnameCount = 0;
  private otherHostnames: Map<string, number> | null = null;
  /**
   * client_id → its bucket, or audience → bucket once the client has a second audience (nested so the hot path
   * builds no composite key strings; held as it is for the usual one audience a client, for the same reason as
   * the hostname).
   */
  private readonly m2mBuckets = new Map<string, M2mBucket | Map<string, M2mBucket>>();
  /** Which minutes have a record; null when the day was first stored without it (state version 1). */
  private coverageBits: DayCoverage | null;
  /**
   * Reconcile counts by the day of the API's boundary (auth0.statsTimezone) the records fall in: one local day
   * spans up to three of those. Null, like coverageBits, for a day first stored without them.
   */
  private statsDayCounts: Map<string, LogDayCounts> | null = new Map();

  constructor(
    readonly tenant: string,
    readonly range: DayRange,
  ) {
    this.coverageBits = DayCoverage.ofRange(range, 'the run zone');
  }

  get day(): string {
    return this.range.day;
  }

  /** All records counted (after de-duplication and range filtering). */
  get events(): number {
    return this.eventCount;
  }

  get activeUsers(): number {
    return this.activeUserIds.size;
  }

  /** The distinct active user ids, in no particular order. */
  activeUserIdList(): string[] {
    return [...this.activeUserIds];
  }

  /**
   * Counts one record. `flags` are its categories (CategoryLookup); `billableAudience` says whether its
   * audience is billed and matters only for M2M records.
   */
  add(record: LogRecord, flags: number, billableAudience: boolean, statsDayOf?: (epochMs: number) => string): void {
    this.eventCount++;
    increment(this.typeCounts, record.type, 1);
    this.coverageBits?.add(record.dateMs);
    if (statsDayOf !== undefined && this.statsDayCounts !== null) {
      const metric = RECONCILE_METRIC_OF_TYPE.get(record.type);
      if (metric !== undefined) countsOf(this.statsDayCounts, statsDayOf(record.dateMs))[metric]++;
    }
    if (record.hostname !== '') this.countHostname(record.hostname, 1);
    if (flags === 0) return;
    for (let i = 0; i < CATEGORY_COUNT; i++) if ((flags & (1 << i)) !== 0) this.categoryCounts[i]++;
    if ((flags & ACTIVE_USER_CATEGORY_MASK) !== 0 && record.userId !== '') this.activeUserIds.add(record.userId);
    if ((flags & M2M_CATEGORY_MASK) !== 0) {
      const bucket = this.bucketFor(record.clientId, record.audience, billableAudience);
      if ((flags & M2M_TOKEN) !== 0) bucket.m2mTokens++;
      if ((flags & M2M_TOKEN_FAILURE) !== 0) bucket.m2mTokenFailures++;
      offerClientName(bucket, record.clientName, record.dateMs);
    }
  }

  /** Adds `other` into this aggregate (same tenant and day); `other` is left unchanged. */
  merge(other: DayAggregate): this {
    if (other.tenant !== this.tenant || other.range.startMs !== this.range.startMs || other.day !== this.day) {
      throw new DayAggregateMergeError(
        `cannot merge ${other.tenant} ${other.day} into ${this.tenant} ${this.day}: different tenant-days`,
      );
    }
    this.eventCount += other.eventCount;
    this.coverageBits = this.coverageBits === null || other.coverageBits === null ? null : this.coverageBits.merge(other.coverageBits);
    if (this.statsDayCounts === null || other.statsDayCounts === null) this.statsDayCounts = null;
    else {
      for (const [day, counts] of other.statsDayCounts) {
        const into = countsOf(this.statsDayCounts, day);
        into.logins += counts.logins;
        into.signups += counts.signups;
        into.breached_passwords += counts.breached_passwords;
      }
    }
    for (let i = 0; i < CATEGORY_COUNT; i++) this.categoryCounts[i] += other.categoryCounts[i];
    for (const userId of other.activeUserIds) this.activeUserIds.add(userId);
    for (const [type, n] of other.typeCounts) increment(this.typeCounts, type, n);
    for (const [hostname, n] of other.hostnameEntries()) this.countHostname(hostname, n);
    other.eachBucket((from) => mergeM2mBucket(this.bucketFor(from.clientId, from.audience, from.billable), from));
    return this;
  }

  clone(): DayAggregate {
    return new DayAggregate(this.tenant, this.range).merge(this);
  }

  categoryCount(name: CategoryName): number {
    return this.categoryCounts[CATEGORY_NAMES.indexOf(name)];
  }

  /** The event types counted, in no particular order. */
  eventTypeNames(): IterableIterator<string> {
    return this.typeCounts.keys();
  }

  /** [type, count] pairs, sorted by type. */
  eventTypes(): Array<[string, number]> {
    return sortedEntries(this.typeCounts);
  }

  /** Copies of the M2M buckets, sorted by client_id then audience. */
  m2m(): M2mBucket[] {
    const buckets: M2mBucket[] = [];
    this.eachBucket((b) => buckets.push({ ...b }));
    return buckets.sort(compareM2mBuckets);
  }

  /** M2M tokens issued for billable audiences. */
  billableM2mTokens(): number {
    let total = 0;
    this.eachBucket((bucket) => {
      if (bucket.billable) total += bucket.m2mTokens;
    });
    return total;
  }

  /** The day's coverage; null when it was first stored without one (state version 1), so it is unknown. */
  coverage(): DayCoverage | null {
    return this.coverageBits;
  }

  /** Reconcile counts by the API's day; null when unknown (state version 1). */
  statsDays(): ReadonlyMap<string, LogDayCounts> | null {
    return this.statsDayCounts;
  }

  /** The most frequent non-empty hostname (ties: lexicographically smallest); the tenant when none. */
  host(): string {
    let best = '';
    let bestCount = 0;
    for (const [hostname, n] of this.hostnameEntries()) {
      if (n > bestCount || (n === bestCount && hostname < best)) {
        best = hostname;
        bestCount = n;
      }
    }
    return bestCount > 0 ? best : this.tenant;
  }

  toJSON(): DayAggregateJson {
    return { ...this.toScratchJSON(), activeUserIds: [...this.activeUserIds].sort() };
  }

  /**
   * toJSON() for a scratch file this run reads back with fromScratchJSON(): the active users in set order, not
   * sorted (sorting is for stored files that must not depend on reading order, and costs n log n a day evicted).
   */
  toScratchJSON(): DayAggregateJson {
    return {
      version: DAY_AGGREGATE_JSON_VERSION,
      tenant: this.tenant,
      day: this.day,
      startMs: this.range.startMs,
      endMs: this.range.endMs,
      events: this.eventCount,
      categories: Object.fromEntries(
        CATEGORY_NAMES.map((name, i) => [name, this.categoryCounts[i]]),
      ) as DayAggregateJson['categories'],
      activeUserIds: this.activeUserIdList(),
      types: this.eventTypes(),
      hostnames: this.hostnameEntries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      m2m: this.m2m().map((b) => ({
        ...b,
        clientNameMs: b.clientNameMs === -Infinity ? null : b.clientNameMs,
      })),
      coverage: this.coverageBits === null ? null : coverageBitsOf(this.coverageBits),
      statsDays:
        this.statsDayCounts === null
          ? null
          : [...this.statsDayCounts]
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([day, c]) => [day, c.logins, c.signups, c.breached_passwords]),
    };
  }

  static fromJSON(input: unknown): DayAggregate {
    const parsed = dayAggregateJsonSchema.safeParse(input);
    if (!parsed.success) {
      throw new DayAggregateFormatError(`not a serialized day aggregate: ${parsed.error.issues[0]?.message}`);
    }
    return DayAggregate.fromScratchJSON(parsed.data);
  }

  /** fromJSON() of what toScratchJSON() wrote in this run: its shape is known, so it is not validated again. */
  static fromScratchJSON(json: DayAggregateJson): DayAggregate {
    if (json.endMs <= json.startMs) throw new DayAggregateFormatError(`day ${json.day} ends before it starts`);
    const aggregate = new DayAggregate(json.tenant, { day: json.day, startMs: json.startMs, endMs: json.endMs });
    aggregate.eventCount = json.events;
    CATEGORY_NAMES.forEach((name, i) => (aggregate.categoryCounts[i] = json.categories[name]));
    for (const userId of json.activeUserIds) aggregate.activeUserIds.add(userId);
    fillUnique(aggregate.typeCounts, json.types, 'type');
    for (const [hostname, n] of json.hostnames) {
      if (aggregate.hostname === hostname || aggregate.otherHostnames?.has(hostname)) throw new DayAggregateFormatError(`duplicate hostname ${JSON.stringify(hostname)}`);
      aggregate.countHostname(hostname, n);
    }
    for (const b of json.m2m) {
      const held = aggregate.m2mBuckets.get(b.clientId);
      const existing = held instanceof Map ? held.get(b.audience) : held?.audience === b.audience ? held : undefined;
      if (existing) throw new DayAggregateFormatError(`duplicate m2m bucket ${b.clientId} ${b.audience}`);
      const bucket = aggregate.bucketFor(b.clientId, b.audience, b.billable);
      bucket.m2mTokens = b.m2mTokens;
      bucket.m2mTokenFailures = b.m2mTokenFailures;
      offerClientName(bucket, b.clientName, b.clientNameMs ?? -Infinity);
    }
    if (json.coverage === undefined || json.coverage === null) aggregate.coverageBits = null;
    else {
      const { minutes, first_ms, last_ms } = json.coverage;
      try {
        aggregate.coverageBits = DayCoverage.fromJSON(
          { day: json.day, tz: 'the run zone', minutes, records: json.events, first_ms, last_ms },
          aggregate.range,
        );
      } catch (err) {
        if (err instanceof CoverageError) throw new DayAggregateFormatError(err.message);
        throw err;
      }
    }
    if (json.statsDays === undefined || json.statsDays === null) aggregate.statsDayCounts = null;
    else {
      for (const [day, logins, signups, breached] of json.statsDays) {
        if (aggregate.statsDayCounts!.has(day)) throw new DayAggregateFormatError(`duplicate stats day ${day}`);
        aggregate.statsDayCounts!.set(day, { logins, signups, breached_passwords: breached });
      }
    }
    return aggregate;
  }

  private bucketFor(clientId: string, audience: string, billable: boolean): M2mBucket {
    const held = this.m2mBuckets.get(clientId);
    let bucket: M2mBucket | undefined;
    if (held === undefined) {
      bucket = newM2mBucket(clientId, audience, billable);
      this.m2mBuckets.set(clientId, bucket);
      return bucket;
    }
    if (held instanceof Map) {
      bucket = held.get(audience);
      if (bucket === undefined) {
        bucket = newM2mBucket(clientId, audience, billable);
        held.set(audience, bucket);
        return bucket;
      }
    } else if (held.audience === audience) {
      bucket = held;
    } else {
      bucket = newM2mBucket(clientId, audience, billable);
      this.m2mBuckets.set(clientId, new Map([[held.audience, held], [audience, bucket]]));
      return bucket;
    }
    if (bucket.billable !== billable) throw new DayAggregateMergeError(`audience ${audience} is classified both billable and not billable`);
    return bucket;
  }

  private eachBucket(visit: (bucket: M2mBucket) => void): void {
    for (const held of this.m2mBuckets.values()) {
      if (held instanceof Map) for (const bucket of held.values()) visit(bucket);
      else visit(held);
    }
  }

  private countHostname(hostname: string, by: number): void {
    if (this.hostname === null) {
      this.hostname = hostname;
      this.hostnameCount = by;
    } else if (this.hostname === hostname) this.hostnameCount += by;
    else increment((this.otherHostnames ??= new Map()), hostname, by);
  }

  /** [hostname, count] pairs, in the order first counted. */
  private hostnameEntries(): Array<[string, number]> {
    const entries: Array<[string, number]> = this.hostname === null ? [] : [[this.hostname, this.hostnameCount]];
    if (this.otherHostnames !== null) for (const entry of this.otherHostnames) entries.push(entry);
    return entries;
  }
}

function countsOf(byDay: Map<string, LogDayCounts>, day: string): LogDayCounts {
  let counts = byDay.get(day);
  if (counts === undefined) {
    counts = { logins: 0, signups: 0, breached_passwords: 0 };
    byDay.set(day, counts);
  }
  return counts;
}

function coverageBitsOf(coverage: DayCoverage): NonNullable<DayAggregateJson['coverage']> {
  const { minutes, first_ms, last_ms } = coverage.toJSON();
  return { minutes, first_ms, last_ms };
}

function fillUnique(counts: Map<string, number>, entries: Array<[string, number]>, what: string): void {
  for (const [key, n] of entries) {
    if (counts.has(key)) throw new DayAggregateFormatError(`duplicate ${what} ${JSON.stringify(key)}`);
    counts.set(key, n);
  }
}
