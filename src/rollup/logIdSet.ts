import { hashLogIdInto } from '../decode/logIdHash';

const MIN_CAPACITY = 16;
/** toTable(): the count and the capacity, then the table. */
const TABLE_HEADER_BYTES = 8;
/** The hash of the id being looked up (one for all sets: no set calls another while it is in use). */
const SCRATCH = new Uint32Array(2);
// A module binding, not a global look-up per call: globals are slow to reach inside vm contexts.
const imul = Math.imul;

/** Spreads the 64-bit hash over the slot index; FNV's low bits alone are weakly mixed. */
function slotHash(hi: number, lo: number): number {
  let h = (hi ^ imul(lo, 0x9e3779b1)) >>> 0;
  h = imul(h ^ (h >>> 16), 0x85ebca6b);
  h = imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The set of log_ids seen in a run, stored as 64-bit hashes (8 bytes per id instead of a 56-character string)
 * in an open-addressing table with linear probing on one Uint32Array of (high, low) pairs, doubled when half full:
 * one typed array a table (a tenant-day has one, and a typed array costs about 200 bytes of heap before its data),
 * and both halves of a slot in one cache line. Hash (0, 0) marks an empty slot; an id hashing to it is stored as (0, 1).
 */
export class LogIdSet {
  /** Slot i's high half at 2i, its low half at 2i + 1. */
  private pairs: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = MIN_CAPACITY;
    while (capacity < initialCapacity) capacity *= 2;
    this.pairs = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Slots allocated (a power of two). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Adds the id; true when it was not there yet. */
  claim(id: string): boolean {
    hashLogIdInto(id, SCRATCH);
    return this.claimHash(SCRATCH[0], SCRATCH[1]);
  }

  /** Removes the id; true when it was there. */
  release(id: string): boolean {
    hashLogIdInto(id, SCRATCH);
    return this.releaseHash(SCRATCH[0], SCRATCH[1]);
  }

  has(id: string): boolean {
    hashLogIdInto(id, SCRATCH);
    return this.hasHash(SCRATCH[0], SCRATCH[1]);
  }

  hasHash(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    return this.findSlot(hi, lo) >= 0;
  }

  /** claim() for a hash from hashLogIdInto(), so callers that keep hashes need not keep the strings. */
  claimHash(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const { pairs, mask } = this;
    let slot = slotHash(hi, lo) & mask;
    for (;;) {
      const slotHi = pairs[2 * slot];
      const slotLo = pairs[2 * slot + 1];
      if (slotHi === 0 && slotLo === 0) {
        pairs[2 * slot] = hi;
        pairs[2 * slot + 1] = lo;
        this.count++;
        return true;
      }
      if (slotHi === hi && slotLo === lo) return false;
      slot = (slot + 1) & mask;
    }
  }

  /** release() for a hash from hashLogIdInto(). */
  releaseHash(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    let hole = this.findSlot(hi, lo);
    if (hole < 0) return false;
    // Backward-shift deletion: pull later entries of the probe run into the hole so no tombstones are needed.
    const { pairs, mask } = this;
    let next = hole;
    for (;;) {
      next = (next + 1) & mask;
      const nextHi = pairs[2 * next];
      const nextLo = pairs[2 * next + 1];
      if (nextHi === 0 && nextLo === 0) break;
      const home = slotHash(nextHi, nextLo) & mask;
      // The entry may move only if its home slot is not cyclically within (hole, next].
      const homeBetween = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!homeBetween) {
        pairs[2 * hole] = nextHi;
        pairs[2 * hole + 1] = nextLo;
        hole = next;
      }
    }
    pairs[2 * hole] = 0;
    pairs[2 * hole + 1] = 0;
    this.count--;
    return true;
  }

  /** Calls `visit` with every stored hash (in slot order), so a set can be saved and rebuilt with claimHash(). */
  forEachHash(visit: (hi: number, lo: number) => void): void {
    const { pairs } = this;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] !== 0 || pairs[i + 1] !== 0) visit(pairs[i]!, pairs[i + 1]!);
  }

  /**
   * The table as it is in memory (count, capacity, then each slot's high and low halves, in this machine's byte
   * order): for a scratch file the same run reads back with fromTable(), so neither side walks or rehashes the ids.
   * Not for files another machine may read (logIdFile.ts is).
   */
  toTable(): Buffer {
    const capacity = this.capacity;
    const bytes = Buffer.allocUnsafeSlow(TABLE_HEADER_BYTES + capacity * 8);
    bytes.writeUInt32LE(this.count, 0);
    bytes.writeUInt32LE(capacity, 4);
    bytes.set(new Uint8Array(this.pairs.buffer, this.pairs.byteOffset, capacity * 8), TABLE_HEADER_BYTES);
    return bytes;
  }

  /** The length of the table toTable() wrote at the start of `bytes` (from its header; checked by fromTable). */
  static tableBytesAt(bytes: Uint8Array): number {
    if (bytes.byteLength < TABLE_HEADER_BYTES) throw new RangeError(`not a log_id table: ${bytes.byteLength} bytes`);
    return TABLE_HEADER_BYTES + new DataView(bytes.buffer, bytes.byteOffset, TABLE_HEADER_BYTES).getUint32(4, true) * 8;
  }

  /** The set toTable() wrote. */
  static fromTable(bytes: Uint8Array): LogIdSet {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getUint32(0, true);
    const capacity = view.getUint32(4, true);
    if (bytes.byteLength !== TABLE_HEADER_BYTES + capacity * 8 || capacity < MIN_CAPACITY || (capacity & (capacity - 1)) !== 0 || count * 2 > capacity) {
      throw new RangeError(`not a log_id table: ${bytes.byteLength} bytes for ${capacity} slots and ${count} ids`);
    }
    const set = new LogIdSet(capacity);
    new Uint8Array(set.pairs.buffer).set(bytes.subarray(TABLE_HEADER_BYTES));
    set.count = count;
    return set;
  }

  private findSlot(hi: number, lo: number): number {
    const { pairs, mask } = this;
    let slot = slotHash(hi, lo) & mask;
    for (;;) {
      const slotHi = pairs[2 * slot];
      const slotLo = pairs[2 * slot + 1];
      if (slotHi === hi && slotLo === lo) return slot;
      if (slotHi === 0 && slotLo === 0) return -1;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.pairs;
    const capacity = old.length; // twice the old capacity: the old array holds two numbers a slot
    const pairs = new Uint32Array(capacity * 2);
    const mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i]!;
      const lo = old[i + 1]!;
      if (hi === 0 && lo === 0) continue;
      let slot = slotHash(hi, lo) & mask;
      while (pairs[2 * slot] !== 0 || pairs[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      pairs[2 * slot] = hi;
      pairs[2 * slot + 1] = lo;
    }
    this.pairs = pairs;
    this.mask = mask;
  }
}
