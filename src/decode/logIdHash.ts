/**
 * 64-bit FNV-1a over the UTF-16 code units of a string, computed in two 32-bit halves (BigInt is far slower).
 * For ASCII strings (every log_id) this equals the standard byte-wise FNV-1a 64. log_ids share long prefixes
 * (a region prefix and a timestamp); FNV-1a mixes every unit into the whole state, and 64 bits keep the chance
 * of any collision among a run's ids negligible (about n²/2⁶⁵: ~3·10⁻⁸ for a million ids).
 */

const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
// The FNV 64-bit prime is 2^40 + 0x1b3.
const PRIME_LOW_PART = 0x1b3;
// A module binding, not a global look-up per character: globals are slow to reach inside vm contexts.
const imul = Math.imul;

/** Writes the hash of `text` into `out` as [high 32 bits, low 32 bits]. */
export function hashLogIdInto(text: string, out: Uint32Array): void {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    // (hi·2^32 + lo) · (2^40 + 0x1b3) mod 2^64, with lo split in 16-bit limbs so every step stays a small integer.
    const low = (lo & 0xffff) * PRIME_LOW_PART;
    const high = (lo >>> 16) * PRIME_LOW_PART + (low >>> 16);
    hi = (imul(hi, PRIME_LOW_PART) + (high >>> 16) + (lo << 8)) >>> 0;
    lo = ((high << 16) | (low & 0xffff)) >>> 0;
  }
  out[0] = hi;
  out[1] = lo;
}

/**
 * hashLogIdInto() of the text that ASCII bytes `bytes[start, end)` spell, from the bytes themselves (so a decoder
 * can hash an id without making a string of it). An ASCII byte is its UTF-16 code unit, so the hash is the same.
 * Returns false, with `out` unspecified, at the first byte that is not ASCII: hash the decoded text instead.
 */
export function hashLogIdBytesInto(bytes: Uint8Array, start: number, end: number, out: Uint32Array): boolean {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  for (let i = start; i < end; i++) {
    const unit = bytes[i]!;
    if (unit >= 0x80) return false;
    lo = (lo ^ unit) >>> 0;
    const low = (lo & 0xffff) * PRIME_LOW_PART;
    const high = (lo >>> 16) * PRIME_LOW_PART + (low >>> 16);
    hi = (imul(hi, PRIME_LOW_PART) + (high >>> 16) + (lo << 8)) >>> 0;
    lo = ((high << 16) | (low & 0xffff)) >>> 0;
  }
  out[0] = hi;
  out[1] = lo;
  return true;
}

/**
 * hashLogIdInto() of the UTF-8 text of `buf[start, end)`, from the bytes where they are ASCII (all of Auth0's ids),
 * else from the decoded text: a non-ASCII byte is not its text's UTF-16 unit.
 */
export function hashLogIdUtf8Into(buf: Buffer, start: number, end: number, out: Uint32Array): void {
  if (!hashLogIdBytesInto(buf, start, end, out)) hashLogIdInto(buf.toString('utf8', start, end), out);
}

/** The hash as 16 lowercase hex digits (for tests and diagnostics). */
export function logIdHashHex(text: string): string {
  const out = new Uint32Array(2);
  hashLogIdInto(text, out);
  return out[0].toString(16).padStart(8, '0') + out[1].toString(16).padStart(8, '0');
}
