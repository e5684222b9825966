import path from 'node:path';
import { addDays } from './calendarDay';
import { DayAggregate } from './dayAggregate';
import type { DayAggregateJson } from './dayAggregateJson';
import type { DayRange } from './dayRange';
import { LogIdSet } from './logIdSet';
import { SpillFile, type SpillRegion } from './spillFile';

/** A tenant-day an earlier run committed, as far as the engine needs to know it (the state's day record fits). */
export interface StoredDay {
  readonly tenant: string;
  readonly day: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Fingerprints of the window summaries last emitted for the day ("active_users", "quota:<metric>"). */
  readonly emitted: Readonly<Record<string, string>>;
}

/**
 * What a run knows of the days an earlier run committed: the state hands them to the engine through this, so
 * the engine knows nothing of files, S3 or locks. Errors reading them are the state's to word.
 */
export interface StoredDays {
  records(): Iterable<StoredDay>;
  /** Whether a stored day's log_ids take part in de-duplication (the state still keeps them: not pruned by --dedup-days). */
  idsUsable(record: StoredDay): boolean;
  /** A stored day's log_ids, read synchronously: decode callbacks cannot wait. */
  readLogIdsSync(record: StoredDay): LogIdSet;
  readAggregate(record: StoredDay): Promise<DayAggregate>;
}

/** One tenant-day known to the run: committed before, or seen in this run. Small; never evicted. */
export class DaySlot {
  /** Records were added to the day in this run. */
  changed = false;
  /** Where the day's working set is in the store's spill file, once evicted there (it is read back from there). */
  spilled: SpillRegion | undefined = undefined;
  /** A warning about unchecked de-duplication was logged. */
  warned = false;
  finished = false;
  /** Objects being read whose latest record (with a log_id) was of this day: it is not evicted for being behind. */
  readers = 0;
  /**
   * The DayStore's estimate of the bytes of the day's working set while it is resident, as last measured (0 when not
   * resident). A field, not a map beside the store: with tens of thousands of tenants every record measures a day.
   */
  residentBytes = 0;
  /** The day's working set while it is resident (kept here, not looked up: the slot is at hand on every record). */
  work: DayWork | undefined = undefined;
  /** DayStore.moves when the working set was last put at the newest end of the store's order. */
  movedAt = 0;
  /** Recorded as its tenant's newest day: that day only moves forward, so the slot never advances it again. */
  wasNewest = false;

  constructor(
    readonly seq: number,
    readonly tenant: string,
    readonly range: DayRange,
    readonly stored: StoredDay | undefined,
    /** The day was committed before but its log_ids cannot be consulted: its records are counted unchecked. */
    readonly unchecked: boolean,
  ) {}

  get day(): string {
    return this.range.day;
  }

  /** Committed before or given records now (a slot a retried object claimed and released has no data). */
  get hasData(): boolean {
    return this.stored !== undefined || this.changed;
  }
}

/** A day's working set: every log_id seen (committed and new) and this run's additions to its figures. */
export interface DayWork {
  ids: LogIdSet;
  delta: DayAggregate;
  /** Changed since it was loaded, so eviction must write it. */
  dirty: boolean;
}

/**
 * A day's working set before its first commit: the delta is made on first use. An object's own aggregate of the
 * day is usually adopted as the delta at commit, so an empty one made up front would only be garbage that outlived
 * the object's reading (tens of thousands of them for a fleet of small tenants).
 */
class NewDayWork implements DayWork {
  dirty = false;
  #delta: DayAggregate | undefined;

  constructor(
    readonly ids: LogIdSet,
    private readonly tenant: string,
    private readonly range: DayRange,
  ) {}

  get delta(): DayAggregate {
    return (this.#delta ??= new DayAggregate(this.tenant, this.range));
  }

  set delta(delta: DayAggregate) {
    this.#delta = delta;
  }
}

export interface DayStoreStats {
  resident: number;
  peakResident: number;
  evictions: number;
  /** Evicted days read back while reading input (late records), not counting the summary pass's final read. */
  reloads: number;
}

export interface DayStoreOptions {
  stored?: StoredDays;
  /** Where evicted working sets go; created on first use. */
  scratchDir: string;
  /** Working sets held in memory at most; the least recently touched is evicted beyond it [no limit but residentBytes]. */
  residentLimit?: number;
  /** Estimated bytes of working sets held in memory at most; the least recently touched go beyond it [DEFAULT_RESIDENT_BYTES]. */
  residentBytes?: number;
  /**
   * Days a tenant's working sets stay in memory behind the newest day read for it [DEFAULT_KEEP_BEHIND_DAYS];
   * older ones go to scratch files unless an object being read is writing that day now. Infinity turns this off.
   */
  keepBehindDays?: number;
}

/** Late records more than this many days behind their tenant's newest day are rare enough to read their day back. */
export const DEFAULT_KEEP_BEHIND_DAYS = 2;

/**
 * Estimated bytes of tenant-day working sets held in memory, whatever the order of the input. A bound in bytes
 * rather than in days: input in random day order or of many small tenants keeps its days in memory instead of
 * reading them back from scratch files record after record (a count of 32 days made 120 random days 60× slower
 * than sorted), while a few large days are bounded as before (32 days of 100 000 records are about this much).
 */
export const DEFAULT_RESIDENT_BYTES = 256 * 1024 * 1024;

/** What a working set is estimated to hold: its log_id table, and its figures (active users mostly) a record. */
const BYTES_PER_ID_SLOT = 8;
const BYTES_PER_RECORD = 64;
const BYTES_PER_DAY = 4096;

function estimatedBytes(work: DayWork): number {
  return BYTES_PER_DAY + work.ids.capacity * BYTES_PER_ID_SLOT + work.ids.size * BYTES_PER_RECORD;
}

/**
 * The run's tenant-days with a bounded cache of working sets. A backfill walks forward through its days, so
 * once a tenant's newest day is more than keepBehindDays ahead of a day that no object being read is writing,
 * that day goes to a local scratch file: memory follows the days being read, not the number of days or the
 * residentLimit. A late record for an evicted day reads it back synchronously. (After a stray record dated far
 * ahead, a tenant's next days never become its newest: only the residentLimit bounds them.)
 */
export class DayStore {
  /**
   * Tenant → its one slot, or a map of its slots by day once it has a second: most of a fleet's tenants have one
   * day, and a map (or set, in residentOf) for each cost about 200 bytes a tenant, copied by every young collection.
   */
  private readonly byTenant = new Map<string, DaySlot | Map<string, DaySlot>>();
  /**
   * The resident slots, least recently moved first: the order eviction follows. A slot already in the newest half
   * of it is not moved again when touched (see work()), so the order is least recently used to within half of it.
   */
  private readonly resident = new Set<DaySlot>();
  /** Slots put at the newest end of `resident` so far. */
  private moves = 0;
  /** The resident slots of each tenant, so that evicting a tenant's old days does not walk every tenant's. */
  private readonly residentOf = new Map<string, DaySlot | Set<DaySlot>>();
  private residentTotal = 0;
  private readonly byteLimit: number;
  private readonly stored: StoredDays | undefined;
  private readonly limit: number;
  private readonly keepBehind: number;
  /** Tenant → the newest day it has a working set for (the day its reading has reached). */
  private readonly newestDay = new Map<string, string>();
  private lastSlot: DaySlot | undefined;
  private mruSlot: DaySlot | undefined;
  private mruWork: DayWork | undefined;
  /** The evicted working sets, in the scratch folder (created on first use). */
  private readonly spill: SpillFile;
  private sequence = 0;
  private readonly counts = { peakResident: 0, evictions: 0, reloads: 0 };
  /** Resident slots touched again without being moved to the newest end of the order (see work()). */
  touchesInPlace = 0;
  /** Maps by day made (for the tenants with more than one day). */
  dayMaps = 0;

  constructor(private readonly options: DayStoreOptions) {
    const limit = options.residentLimit ?? Infinity;
    if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1)) {
      throw new RangeError(`residentLimit must be a whole number of at least 1, got ${limit}`);
    }
    this.limit = limit;
    this.byteLimit = options.residentBytes ?? DEFAULT_RESIDENT_BYTES;
    this.keepBehind = options.keepBehindDays ?? DEFAULT_KEEP_BEHIND_DAYS;
    this.stored = options.stored;
    this.spill = new SpillFile(path.join(options.scratchDir, 'evicted-days'));
    for (const record of options.stored?.records() ?? []) {
      const range = { day: record.day, startMs: record.startMs, endMs: record.endMs };
      this.insert(new DaySlot(++this.sequence, record.tenant, range, record, !options.stored!.idsUsable(record)));
    }
  }

  get stats(): DayStoreStats {
    return { resident: this.resident.size, ...this.counts };
  }

  /** Estimated bytes of the resident working sets (as last measured). */
  get residentBytes(): number {
    return this.residentTotal;
  }

  /** The slot of a tenant-day, created when new. */
  slot(tenant: string, range: DayRange): DaySlot {
    const last = this.lastSlot;
    if (last !== undefined && last.tenant === tenant && last.range.startMs === range.startMs) return last;
    const held = this.byTenant.get(tenant);
    let slot = held === undefined ? undefined : held instanceof DaySlot ? (held.day === range.day ? held : undefined) : held.get(range.day);
    if (slot === undefined) slot = this.insert(new DaySlot(++this.sequence, tenant, range, undefined, false));
    this.lastSlot = slot;
    return slot;
  }

  /** The slot's working set, loaded (from scratch or the stored log_ids) when not resident. */
  work(slot: DaySlot): DayWork {
    if (slot === this.mruSlot) return this.mruWork!;
    if (slot.finished) throw new Error(`day ${slot.tenant} ${slot.day} used after it was finished`);
    // The slot written until now may have grown since it was measured.
    if (this.mruSlot !== undefined) this.measure(this.mruSlot, this.mruWork!);
    let work = slot.work;
    if (work === undefined) {
      if (slot.spilled !== undefined) this.counts.reloads++;
      work = slot.work = this.load(slot);
      this.addResident(slot);
      this.moveToNewest(slot);
    } else if (this.moves - slot.movedAt < this.resident.size >> 1) {
      // At most moves - movedAt slots were put after it: it is in the newest half already. With tens of thousands of
      // tenants in turn, moving every touched slot (a delete and an insert in a large hash table) cost more than the
      // order it kept; with a few resident days the newest one is still the only one left in place.
      this.touchesInPlace++;
    } else {
      this.resident.delete(slot);
      this.moveToNewest(slot);
    }
    this.measure(slot, work);
    if (this.advances(slot)) this.evictBehind(slot);
    if (this.resident.size > 1 && (this.resident.size > this.limit || this.residentTotal > this.byteLimit)) {
      // Never the slot just asked for, so it goes to the newest end first: one set over the budget is still read.
      if (slot.movedAt !== this.moves) {
        this.resident.delete(slot);
        this.moveToNewest(slot);
      }
      while (this.resident.size > 1 && (this.resident.size > this.limit || this.residentTotal > this.byteLimit)) this.evictOldest();
    }
    this.counts.peakResident = Math.max(this.counts.peakResident, this.resident.size);
    this.mruSlot = slot;
    this.mruWork = work;
    return work;
  }

  tenants(): string[] {
    return [...this.byTenant.keys()].sort();
  }

  /** The slots given records in this run, in no particular order: a count or a set of them needs no sorting. */
  *changedSlots(): IterableIterator<DaySlot> {
    for (const held of this.byTenant.values()) {
      if (held instanceof DaySlot) {
        if (held.changed) yield held;
      } else for (const slot of held.values()) if (slot.changed) yield slot;
    }
  }

  /** A tenant's slots with data, by day. */
  slotsOf(tenant: string): DaySlot[] {
    const held = this.byTenant.get(tenant);
    if (held instanceof DaySlot) return held.hasData ? [held] : [];
    const days = [...(held?.values() ?? [])].filter((slot) => slot.hasData);
    return days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  }

  /** Closes the spill file; the scratch folder is the caller's to remove. The store cannot load evicted days afterwards. */
  close(): void {
    this.spill.close();
  }

  /** Takes a slot's final working set out of the cache; the slot cannot be written afterwards. */
  finish(slot: DaySlot): DayWork {
    const work = slot.work ?? this.load(slot);
    if (this.resident.delete(slot)) this.removeResident(slot);
    if (this.mruSlot === slot) this.mruSlot = this.mruWork = undefined;
    slot.finished = true;
    return work;
  }

  /** The committed aggregate of a stored day. */
  storedAggregate(slot: DaySlot): Promise<DayAggregate> | undefined {
    return slot.stored === undefined ? undefined : this.stored!.readAggregate(slot.stored);
  }

  private insert(slot: DaySlot): DaySlot {
    const held = this.byTenant.get(slot.tenant);
    if (held === undefined) this.byTenant.set(slot.tenant, slot);
    else if (held instanceof DaySlot) {
      this.byTenant.set(slot.tenant, new Map([[held.day, held], [slot.day, slot]]));
      this.dayMaps++;
    } else held.set(slot.day, slot);
    return slot;
  }

  private moveToNewest(slot: DaySlot): void {
    this.resident.add(slot);
    slot.movedAt = ++this.moves;
  }

  private addResident(slot: DaySlot): void {
    const held = this.residentOf.get(slot.tenant);
    if (held === undefined) this.residentOf.set(slot.tenant, slot);
    else if (held instanceof DaySlot) {
      if (held !== slot) this.residentOf.set(slot.tenant, new Set([held, slot]));
    } else held.add(slot);
  }

  private removeResident(slot: DaySlot): void {
    const held = this.residentOf.get(slot.tenant);
    if (held === slot) this.residentOf.delete(slot.tenant);
    else if (held instanceof Set) held.delete(slot);
    this.residentTotal -= slot.residentBytes;
    slot.residentBytes = 0;
    slot.work = undefined;
  }

  private measure(slot: DaySlot, work: DayWork): void {
    const bytes = estimatedBytes(work);
    this.residentTotal += bytes - slot.residentBytes;
    slot.residentBytes = bytes;
  }

  private load(slot: DaySlot): DayWork {
    if (slot.spilled !== undefined) {
      const bytes = this.spill.read(slot.spilled);
      const tableBytes = LogIdSet.tableBytesAt(bytes);
      const ids = LogIdSet.fromTable(bytes.subarray(0, tableBytes));
      const delta = DayAggregate.fromScratchJSON(JSON.parse(bytes.toString('utf8', tableBytes)) as DayAggregateJson);
      return { ids, delta, dirty: false };
    }
    // A new day's table starts small and doubles as it fills: many tenants of a few records each stay small.
    const ids = slot.stored !== undefined && !slot.unchecked ? this.stored!.readLogIdsSync(slot.stored) : new LogIdSet(0);
    return new NewDayWork(ids, slot.tenant, slot.range);
  }

  /** Whether the slot is the newest day of its tenant so far (recorded as such). */
  private advances(slot: DaySlot): boolean {
    if (slot.wasNewest) return false;
    const newest = this.newestDay.get(slot.tenant);
    if (newest !== undefined && slot.day <= newest) return false;
    this.newestDay.set(slot.tenant, slot.day);
    slot.wasNewest = true;
    return true;
  }

  /** Evicts the tenant's days more than keepBehind days before `newest` that no object being read is writing now. */
  private evictBehind(newest: DaySlot): void {
    if (this.keepBehind === Infinity) return;
    const oldestKept = addDays(newest.day, -this.keepBehind);
    const held = this.residentOf.get(newest.tenant);
    // A tenant with one resident slot has nothing behind it to evict (its one slot is `newest`).
    if (!(held instanceof Set)) return;
    for (const slot of [...held]) {
      if (slot.day < oldestKept && slot.readers === 0) this.evict(slot, slot.work!);
    }
  }

  private evictOldest(): void {
    const slot = this.resident.values().next().value as DaySlot;
    this.evict(slot, slot.work!);
  }

  private evict(slot: DaySlot, work: DayWork): void {
    this.resident.delete(slot);
    this.removeResident(slot);
    if (this.mruSlot === slot) this.mruSlot = this.mruWork = undefined;
    this.counts.evictions++;
    if (!work.dirty) return; // the spill file (or the stored ids) still holds exactly this
    // The table as it is (this run reads it back, so neither side walks or rehashes the ids), then the figures' JSON.
    slot.spilled = this.spill.write([work.ids.toTable(), Buffer.from(JSON.stringify(work.delta.toScratchJSON()))], slot.spilled);
  }
}
