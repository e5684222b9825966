/**
 * Slots for byte spans that repeat from record to record (type, tenant, host, client, audience, user): a
 * direct-mapped table keyed by the span's bytes. It holds bytes only, never strings: a decode worker sends a span's
 * bytes once, when the span enters a slot, and its slot number afterwards; whoever reads the records decodes each
 * slot's text once (SlotStrings) and hands out the same string instance on every hit, which saves the decode, the
 * garbage, and the rollup's re-hashing of a fresh string for its Map look-ups. A miss costs a hash and a copy of at
 * most MAX_SPAN_BYTES bytes, so values that never repeat (user ids of a large tenant) cost no more than sending them.
 * Every hit is verified byte for byte, so a slot always stands for the bytes it was filled with.
 */
/** A module constant, not `Math.imul` in the loop: see jsonBytes.ts on global look-ups in a vm context. */
const { imul } = Math;

export const CACHE_SLOTS = 32768; // power of two
const MAX_SPAN_BYTES = 64; // longer spans are not cached
/** A slot's key is its span's bytes as 4-byte words (the last one zero-padded), compared a word at a time. */
const KEY_WORDS = MAX_SPAN_BYTES / 4;

/** SpanCache.lookUp result for a span that is not cached (too long): its bytes go as they are. */
export const NOT_CACHED = -1;

/** A look-up result below NOT_CACHED: the span missed and now fills slot `definedSlot(result)`. */
export function definedSlot(result: number): number {
  return -result - 2;
}

export class SpanCache {
  private readonly keys = new Int32Array(CACHE_SLOTS * KEY_WORDS);
  private readonly words = new Int32Array(KEY_WORDS);
  private readonly lengths = new Int32Array(CACHE_SLOTS).fill(-1);
  /** Per slot: how many times it has been filled (SlotStrings uses it to tell a current text from a stale one). */
  readonly fills = new Uint32Array(CACHE_SLOTS);

  /** Empties every slot; `fills` goes on counting, so a fill of the last use is never taken for one of the next. */
  clear(): void {
    this.lengths.fill(-1);
  }

  /** Looks up buf[start, end): its slot (>= 0) when cached, -(slot + 2) when it was not and now fills that slot
   *  (replacing what the slot held), or NOT_CACHED. */
  lookUp(buf: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length > MAX_SPAN_BYTES) return NOT_CACHED;
    // Every byte counts: the values that repeat often differ in a single byte (tenant1 / tenant2 host names).
    const words = this.words;
    let count = 0;
    let hash = length;
    let k = start;
    for (; k + 4 <= end; k += 4) {
      const word = buf[k] | (buf[k + 1] << 8) | (buf[k + 2] << 16) | (buf[k + 3] << 24);
      words[count++] = word;
      hash = imul(hash ^ word, 0x01000193);
    }
    if (k < end) {
      let word = 0;
      for (let shift = 0; k < end; k++, shift += 8) word |= buf[k] << shift;
      words[count++] = word;
      hash = imul(hash ^ word, 0x01000193);
    }
    hash ^= hash >>> 15;
    hash = imul(hash, 0x85ebca6b);
    const slot = (hash ^ (hash >>> 13)) & (CACHE_SLOTS - 1);
    const keys = this.keys;
    const at = slot * KEY_WORDS;
    // Same length and same words (the padding is zero in both) is same bytes.
    if (this.lengths[slot] === length) {
      let same = 0;
      while (same < count && keys[at + same] === words[same]) same++;
      if (same === count) return slot;
    }
    for (let i = 0; i < count; i++) keys[at + i] = words[i];
    this.lengths[slot] = length;
    this.fills[slot]++;
    return -slot - 2;
  }
}
