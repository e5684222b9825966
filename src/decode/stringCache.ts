/**
 * Decoded strings for byte spans that repeat from record to record (type, tenant, host, client, audience, user):
 * a direct-mapped table of slots keyed by the span's bytes. A hit returns the same string instance as last time,
 * which saves the decode, the garbage, and the rollup's re-hashing of a fresh string for its Map look-ups; its slot
 * number also lets a decode worker send the string once and refer to it by number afterwards.
 * Every hit is verified byte for byte, so a slot's string is always the UTF-8 decoding of the span looked up.
 */
export const CACHE_SLOTS = 32768; // power of two
const MAX_BYTES = 64; // longer spans are not cached

/** StringCache.look-up result for a span that is not cached (too long); `last` holds its text. */
export const NOT_CACHED = -1;

/** A look-up result below NOT_CACHED: the span missed and now fills slot `definedSlot(result)`. */
export function definedSlot(result: number): number {
  return -result - 2;
}

export class StringCache {
  /** The slots' strings. */
  readonly values: string[] = new Array<string>(CACHE_SLOTS).fill('');
  /** The text of the last span looked up. */
  last = '';
  private readonly keys = new Uint8Array(CACHE_SLOTS * MAX_BYTES);
  private readonly lengths = new Int32Array(CACHE_SLOTS).fill(-1);

  /**
   * Looks up buf[start, end): returns its slot (>= 0) when cached, -(slot + 2) when it was not and now fills that
   * slot (replacing what the slot held), or NOT_CACHED. Sets `last` to its text in every case.
   */
  lookUp(buf: Buffer, start: number, end: number): number {
    const length = end - start;
    if (length > MAX_BYTES) {
      this.last = buf.toString('utf8', start, end);
      return NOT_CACHED;
    }
    // Every byte counts: the values that repeat often differ in a single byte (tenant1 / tenant2 host names).
    let hash = length;
    let k = start;
    for (; k + 4 <= end; k += 4) hash = Math.imul(hash ^ (buf[k] | (buf[k + 1] << 8) | (buf[k + 2] << 16) | (buf[k + 3] << 24)), 0x01000193);
    for (; k < end; k++) hash = Math.imul(hash ^ buf[k], 0x01000193);
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x85ebca6b);
    const slot = (hash ^ (hash >>> 13)) & (CACHE_SLOTS - 1);
    const keys = this.keys;
    const at = slot * MAX_BYTES;
    if (this.lengths[slot] === length) {
      let same = 0;
      while (same < length && keys[at + same] === buf[start + same]) same++;
      if (same === length) {
        this.last = this.values[slot];
        return slot;
      }
    }
    const value = length === 0 ? '' : buf.toString('utf8', start, end);
    for (let i = 0; i < length; i++) keys[at + i] = buf[start + i];
    this.lengths[slot] = length;
    this.values[slot] = value;
    this.last = value;
    return -slot - 2;
  }
}
