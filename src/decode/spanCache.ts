/**
 * Slots for byte spans that repeat from record to record (type, tenant, host, client, audience, user): a
 * direct-mapped table keyed by the span's bytes. It holds bytes only, never strings: a decode worker sends a span's
 * bytes once, when the span enters a slot, and its slot number afterwards; whoever reads the records decodes each
 * slot's text once (SlotStrings) and hands out the same string instance on every hit, which saves the decode, the
 * garbage, and the rollup's re-hashing of a fresh string for its Map look-ups. A miss costs a hash and a copy of at
 * most MAX_SPAN_BYTES bytes, so values that never repeat (user ids of a large tenant) cost no more than sending them.
 * Every hit is verified byte for byte, so a slot always stands for the bytes it was filled with.
 */
export const CACHE_SLOTS = 32768; // power of two
const MAX_SPAN_BYTES = 64; // longer spans are not cached

/** SpanCache.lookUp result for a span that is not cached (too long): its bytes go as they are. */
export const NOT_CACHED = -1;

/** A look-up result below NOT_CACHED: the span missed and now fills slot `definedSlot(result)`. */
export function definedSlot(result: number): number {
  return -result - 2;
}

export class SpanCache {
  private readonly keys = new Uint8Array(CACHE_SLOTS * MAX_SPAN_BYTES);
  private readonly lengths = new Int32Array(CACHE_SLOTS).fill(-1);
  /** Per slot: how many times it has been filled (SlotStrings uses it to tell a current text from a stale one). */
  readonly fills = new Uint32Array(CACHE_SLOTS);

  /** Looks up buf[start, end): its slot (>= 0) when cached, -(slot + 2) when it was not and now fills that slot
   *  (replacing what the slot held), or NOT_CACHED. */
  lookUp(buf: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length > MAX_SPAN_BYTES) return NOT_CACHED;
    // Every byte counts: the values that repeat often differ in a single byte (tenant1 / tenant2 host names).
    let hash = length;
    let k = start;
    for (; k + 4 <= end; k += 4) hash = Math.imul(hash ^ (buf[k] | (buf[k + 1] << 8) | (buf[k + 2] << 16) | (buf[k + 3] << 24)), 0x01000193);
    for (; k < end; k++) hash = Math.imul(hash ^ buf[k], 0x01000193);
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x85ebca6b);
    const slot = (hash ^ (hash >>> 13)) & (CACHE_SLOTS - 1);
    const keys = this.keys;
    const at = slot * MAX_SPAN_BYTES;
    if (this.lengths[slot] === length) {
      let same = 0;
      while (same < length && keys[at + same] === buf[start + same]) same++;
      if (same === length) return slot;
    }
    for (let i = 0; i < length; i++) keys[at + i] = buf[start + i];
    this.lengths[slot] = length;
    this.fills[slot]++;
    return -slot - 2;
  }
}
