import type { LogRecord } from '../decode/logRecord';
import { DayAggregate } from './dayAggregate';
import type { DayAggregateJson } from './dayAggregateJson';
import type { DayAggregateTable } from './dayAggregateTable';
import { type Classifiers, ObjectAggregates } from './objectAggregates';
import type { DayWindow } from './dayWindow';
import { hashLogIdInto } from '../decode/logIdHash';
import type { LogIdSet } from './logIdSet';
import type { DaySlot, DayStore } from './dayStore';
import { HashPairs } from './hashPairs';
import { Auth0UsageError } from '../support/errors';

export interface DayRollupCounters {
  /** Records received, duplicates and out-of-range ones included. */
  records: number;
  /** Records whose log_id was already counted (in this run, or in an earlier one through the state). */
  duplicates: number;
  /** Distinct records outside --from/--to (not summarized). */
  outOfRange: number;
  /** Records of days whose earlier log_ids are no longer kept: counted without the check against earlier runs. */
  dedupUnavailable: number;
}

/** What an object's partial shares with its run (the classifiers: categories, audiences, days and stats days). */
export interface DayRollupContext extends Classifiers {
  readonly window: DayWindow;
  readonly store: DayStore;
  /** log_ids of records outside --from/--to: never stored, de-duplicated within the run only. */
  readonly outOfRangeIds: LogIdSet;
  uncheckedDay(slot: DaySlot): void;
  commitPartial(partial: DayObjectRollup): void;
}

/** Puts the record's log_id hash in `out` (the decoder's when it sent one); false when the record has no log_id. */
function hashOf(record: LogRecord, out: Uint32Array): boolean {
  if (record.logIdHi !== undefined) {
    out[0] = record.logIdHi;
    out[1] = record.logIdLo!;
    return true;
  }
  const logId = record.logId;
  if (logId === null) return false;
  hashLogIdInto(logId, out);
  return true;
}

/** Thrown when a partial is used after commit() or abort(). */
export class ObjectRollupStateError extends Auth0UsageError {
  static override readonly code: string = 'ERR_OBJECT_ROLLUP_STATE';
  static override readonly internal = true;
}

const CALL_OF = { committed: 'commit()', aborted: 'abort()' } as const;

/** claimSlot()'s answer for a record whose figures are not the object's (a duplicate, or outside --from/--to). */
const NOT_COUNTED = false;

/**
 * The partial of one input object. A record's log_id is claimed at once in its tenant-day's id set (which
 * holds the ids of earlier runs too), so concurrent objects and later runs see it; its figures join the day
 * only on commit(), and abort() releases the claims so a re-read of the object counts them again.
 */
export class DayObjectRollup {
  /** The figures of the records counted: added here (add), or on a decode thread and adopted at the end (adopt). */
  private readonly aggregates: ObjectAggregates;
  readonly counters: DayRollupCounters = { records: 0, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 };
  /**
   * Every log_id the object claimed, in order, in one list: a list per tenant-day cost a typed array (and its
   * growth) for each of a fleet's days. claimRuns/runStarts say which slot each stretch of the list was claimed in.
   */
  readonly claimed = new HashPairs();
  private readonly claimRuns: DaySlot[] = [];
  private readonly runStarts: number[] = [];
  private readonly outOfRangeClaims = new HashPairs();
  private readonly hash = new Uint32Array(2);
  private lastSlot: DaySlot | undefined;
  /** The object's aggregate of each tenant-day it claimed records of, found by slot (no second look-up by tenant). */
  private readonly aggregateOfSlot = new Map<DaySlot, DayAggregate>();
  /** The aggregate of lastSlot's day, once add() asked for it (claims alone never do). */
  private lastAggregate: DayAggregate | undefined;
  private state: 'open' | 'committed' | 'aborted' = 'open';
  private outsideRange = false;
  private adopted = false;

  /**
   * `counted`: the instants whose records of this object an earlier run counted (it read the object for those days
   * only, ObjectIndex.countedFor); they are not counted again, whether or not their log_ids are still kept.
   */
  constructor(
    private readonly context: DayRollupContext,
    private readonly counted?: Pick<DayWindow, 'contains'>,
  ) {
    this.aggregates = new ObjectAggregates(context);
  }

  get table(): DayAggregateTable {
    return this.aggregates.table;
  }

  /** Whether the object held records outside --from/--to (so it is not done with: a wider run must read it again). */
  get sawOutOfRange(): boolean {
    return this.outsideRange;
  }

  /** Counts the record in: claim(), then its figures. */
  add(record: LogRecord): void {
    const slot = this.claimSlot(record);
    if (slot === NOT_COUNTED) return;
    if (slot === null) this.aggregates.add(record);
    else this.aggregates.addTo(this.aggregateOf(slot), record);
  }

  /**
   * Claims the record's log_id (the run's de-duplication) and counts it, without its figures: true when they are to
   * be added (the record is in --from/--to and its log_id was not counted before). A decode thread that counts the
   * object itself adds them there, and its result comes back through adopt().
   */
  claim(record: LogRecord): boolean {
    return this.claimSlot(record) !== NOT_COUNTED;
  }

  /** claim(): the slot the record's log_id was claimed in, null for a record without one, or NOT_COUNTED. */
  private claimSlot(record: LogRecord): DaySlot | null | typeof NOT_COUNTED {
    if (this.state !== 'open') throw new ObjectRollupStateError(`add() or claim() after ${CALL_OF[this.state]}`);
    const { context, counters, hash } = this;
    counters.records++;
    if (this.counted?.contains(record.dateMs)) {
      counters.duplicates++;
      return NOT_COUNTED;
    }
    if (!context.window.contains(record.dateMs)) {
      this.outsideRange = true;
      if (hashOf(record, hash)) {
        if (!context.outOfRangeIds.claimHash(hash[0]!, hash[1]!)) {
          counters.duplicates++;
          return NOT_COUNTED;
        }
        this.outOfRangeClaims.push(hash[0]!, hash[1]!);
      }
      counters.outOfRange++;
      return NOT_COUNTED;
    }
    if (hashOf(record, hash)) {
      // One log_id is one delivery of one record: its tenant and date never differ, so the day's set decides.
      const slot = context.store.slot(record.tenant, context.days.rangeOf(record.dateMs));
      const work = context.store.work(slot);
      if (!work.ids.claimHash(hash[0]!, hash[1]!)) {
        counters.duplicates++;
        return NOT_COUNTED;
      }
      work.dirty = true;
      this.claimIn(slot);
      this.claimed.push(hash[0]!, hash[1]!);
      if (slot.unchecked) {
        counters.dedupUnavailable++;
        context.uncheckedDay(slot);
      }
      return slot;
    }
    return null;
  }

  /**
   * The figures of the records claim() said yes to, added on a decode thread (ObjectAggregates.result()): they become
   * the object's, in place of any added here. Once, before commit().
   */
  adopt(days: readonly DayAggregateJson[]): void {
    if (this.state !== 'open') throw new ObjectRollupStateError(`adopt() after ${CALL_OF[this.state]}`);
    if (this.adopted) throw new ObjectRollupStateError('adopt() twice');
    this.adopted = true;
    this.aggregates.table.clear();
    for (const day of days) this.aggregates.table.put(DayAggregate.fromScratchJSON(day));
  }

  commit(): void {
    this.close('committed');
    const { store } = this.context;
    for (const aggregate of this.table.aggregates()) {
      const slot = store.slot(aggregate.tenant, aggregate.range);
      const work = store.work(slot);
      // A day this run has nothing for yet takes the object's aggregate as it is (the object is done with it):
      // merging it into an empty one would hold both until the next collection, for each of a fleet's days.
      if (work.delta.events === 0) work.delta = aggregate;
      else work.delta.merge(aggregate);
      work.dirty = true;
      slot.changed = true;
    }
    this.context.commitPartial(this);
  }

  abort(): void {
    this.close('aborted');
    const { store, outOfRangeIds } = this.context;
    const { claimRuns, runStarts, claimed } = this;
    // Day by day, not run by run: records of many days in no order make a run of each record, and under a resident
    // limit each work() of an evicted day reads it back from its scratch file (a stopped run spent minutes here).
    const runsOfSlot = new Map<DaySlot, number[]>();
    for (let run = 0; run < claimRuns.length; run++) {
      const runs = runsOfSlot.get(claimRuns[run]!);
      if (runs === undefined) runsOfSlot.set(claimRuns[run]!, [run]);
      else runs.push(run);
    }
    for (const [slot, runs] of runsOfSlot) {
      const work = store.work(slot);
      work.dirty = true;
      const release = (hi: number, lo: number) => work.ids.releaseHash(hi, lo);
      for (const run of runs) claimed.forEachBetween(runStarts[run]!, run + 1 < runStarts.length ? runStarts[run + 1]! : claimed.size, release);
    }
    this.outOfRangeClaims.forEach((hi, lo) => outOfRangeIds.releaseHash(hi, lo));
  }

  /** The object's aggregate of the day of `slot` (the slot just claimed in, lastSlot), made on its first record. */
  private aggregateOf(slot: DaySlot): DayAggregate {
    if (this.lastAggregate !== undefined) return this.lastAggregate;
    let aggregate = this.aggregateOfSlot.get(slot);
    if (aggregate === undefined) {
      aggregate = this.table.aggregateFor(slot.tenant, slot.range);
      this.aggregateOfSlot.set(slot, aggregate);
    }
    this.lastAggregate = aggregate;
    return aggregate;
  }

  /** Starts a run of claims in the slot's day, unless the last claim was in it already. */
  private claimIn(slot: DaySlot): void {
    if (slot === this.lastSlot) return;
    this.claimRuns.push(slot);
    this.runStarts.push(this.claimed.size);
    // The day the object is writing now stays in memory (DaySlot.readers); the days it has moved on from may go.
    if (this.lastSlot !== undefined) this.lastSlot.readers--;
    slot.readers++;
    this.lastSlot = slot;
    this.lastAggregate = undefined;
  }

  private close(next: 'committed' | 'aborted'): void {
    if (this.state !== 'open') throw new ObjectRollupStateError(`${CALL_OF[next]} after ${CALL_OF[this.state]}`);
    this.state = next;
    if (this.lastSlot !== undefined) this.lastSlot.readers--;
    this.lastSlot = this.lastAggregate = undefined;
  }
}
