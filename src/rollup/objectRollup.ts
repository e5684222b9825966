import type { LogRecord } from '../decode/logRecord';
import type { AudiencePolicy } from './audiencePolicy';
import { M2M_CATEGORY_MASK, type CategoryLookup } from './categoryLookup';
import { DayAggregateTable } from './dayAggregateTable';
import type { DayRangeCache } from './dayRange';
import type { DayWindow } from './dayWindow';
import { hashLogIdInto } from './logIdHash';
import type { LogIdSet } from './logIdSet';

export interface RollupCounters {
  /** Records received, duplicates and out-of-range ones included. */
  records: number;
  /** Records whose log_id was already counted in this run. */
  duplicates: number;
  /** Distinct records outside --from/--to (not summarized). */
  outOfRange: number;
}

/** A partial for one input object: records are claimed for de-duplication at once but counted only on commit(). */
export interface ObjectRollup {
  add(record: LogRecord): void;
  /** Adds this object's counts to the run. */
  commit(): void;
  /** Discards this object's counts and releases its log_ids, so a retry of the object counts them again. */
  abort(): void;
}

/** What an object's partial shares with its run. */
export interface RollupContext {
  readonly categories: CategoryLookup;
  readonly audiences: AudiencePolicy;
  readonly days: DayRangeCache;
  readonly window: DayWindow;
  readonly logIds: LogIdSet;
  commitPartial(table: DayAggregateTable, counters: RollupCounters): void;
}

/** Thrown when a partial is used after commit() or abort(). */
export class ObjectRollupStateError extends Error {
  override readonly name = 'ObjectRollupStateError';
}

/** The log_id hashes an object claimed, as [hi, lo] pairs in a growable typed array. */
class ClaimedHashes {
  private pairs = new Uint32Array(256);
  private length = 0;

  push(hi: number, lo: number): void {
    if (this.length + 2 > this.pairs.length) {
      const grown = new Uint32Array(this.pairs.length * 2);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    this.pairs[this.length++] = hi;
    this.pairs[this.length++] = lo;
  }

  releaseAll(logIds: LogIdSet): void {
    for (let i = 0; i < this.length; i += 2) logIds.releaseHash(this.pairs[i], this.pairs[i + 1]);
    this.length = 0;
  }
}

const CALL_OF = { committed: 'commit()', aborted: 'abort()' } as const;

export class PendingObjectRollup implements ObjectRollup {
  private readonly table = new DayAggregateTable();
  private readonly counters: RollupCounters = { records: 0, duplicates: 0, outOfRange: 0 };
  private readonly claimed = new ClaimedHashes();
  private readonly hash = new Uint32Array(2);
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(private readonly context: RollupContext) {}

  add(record: LogRecord): void {
    if (this.state !== 'open') throw new ObjectRollupStateError(`add() after ${CALL_OF[this.state]}`);
    const { context, counters } = this;
    counters.records++;
    // De-duplicate before range filtering, so an out-of-range record read twice is one out-of-range record.
    if (record.logId !== null) {
      hashLogIdInto(record.logId, this.hash);
      if (!context.logIds.claimHash(this.hash[0], this.hash[1])) {
        counters.duplicates++;
        return;
      }
      this.claimed.push(this.hash[0], this.hash[1]);
    }
    if (!context.window.contains(record.dateMs)) {
      counters.outOfRange++;
      return;
    }
    const flags = context.categories.flagsOf(record.type);
    const billable = (flags & M2M_CATEGORY_MASK) !== 0 && context.audiences.isBillable(record.audience);
    this.table.aggregateFor(record.tenant, context.days.rangeOf(record.dateMs)).add(record, flags, billable);
  }

  commit(): void {
    this.close('committed');
    this.context.commitPartial(this.table, this.counters);
  }

  abort(): void {
    this.close('aborted');
    this.claimed.releaseAll(this.context.logIds);
  }

  private close(next: 'committed' | 'aborted'): void {
    if (this.state !== 'open') throw new ObjectRollupStateError(`${CALL_OF[next]} after ${CALL_OF[this.state]}`);
    this.state = next;
  }
}
