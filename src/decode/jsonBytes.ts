/**
 * A byte-level JSON validator for the decode fast path: it walks one value as strictly as JSON.parse would read
 * the UTF-8 decoding of the same bytes, without building anything. ASCII bytes decode to themselves and no other
 * byte decodes to an ASCII character, so every structural decision can be made on bytes; bytes >= 0x80 are only
 * allowed inside strings (where JSON.parse accepts any decoded character, U+FFFD included).
 *
 * Callers pass `limit`: an index where buf holds a line feed or a double quote. Nothing at or after it is read but
 * that byte, which ends unescaped string content, numbers and literals, so the hot loops need no bounds check and
 * never read past the end of buf (an out-of-bounds read would also make V8 deoptimize them).
 */

/** The bytes are not one well-formed JSON value on one line before `limit` (a syntax error, a line feed, or the
 *  value runs past `limit`). */
export const NOT_JSON = -1;
/** The walk gave up on something valid but unusual (deep nesting); the caller must read the value another way. */
export const UNSURE = -2;

/**
 * Math's functions as module constants: inside a vm context (Jest runs every test file in one) each `Math.x` in a
 * hot loop is a global look-up through the context's interceptor, several times slower than the loop's own work.
 */
const { clz32 } = Math;

/** Deeper values are left to JSON.parse (which has no such limit) rather than risk this recursion. */
const MAX_DEPTH = 64;

/** 1 for bytes that may appear unescaped in a string: everything from 0x20 up but '"' and '\'. */
const PLAIN_STRING_BYTE = new Uint8Array(256);
for (let c = 0x20; c < 256; c++) PLAIN_STRING_BYTE[c] = 1;
PLAIN_STRING_BYTE[0x22] = 0;
PLAIN_STRING_BYTE[0x5c] = 0;

/** Set by skipString: whether the last string it read held a backslash escape. */
let lastStringEscaped = false;

export function stringWasEscaped(): boolean {
  return lastStringEscaped;
}

/**
 * Index of the first byte at or after `i` (at most `limit`) that is not a space, tab or CR. A line feed is JSON
 * whitespace too, but it stops here: a value that spans lines is left to the caller's general reader, which counts
 * lines (the walk then reports NOT_JSON's cause exactly).
 */
export function skipBlank(buf: Uint8Array, i: number, limit: number): number {
  while (i < limit) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/**
 * The buffer whose string bitmap `markedBits` is (see stringBitmap.ts): bit k of word k >> 5 set where byte k is
 * '"', '\' or below 0x20, and a set bit at or after every byte skipString may start at. Null: none.
 */
let markedBuf: Uint8Array | null = null;
let markedBits: Int32Array = new Int32Array(0);

/** From now on skipString finds the bytes that end plain string content in `buf` from `bits` (null: none). */
export function useStringBitmap(buf: Uint8Array | null, bits: Int32Array): void {
  markedBuf = buf;
  markedBits = bits;
}

/** The buffer skipString has a bitmap of, or null. */
export function stringBitmapBuffer(): Uint8Array | null {
  return markedBuf;
}

/** `i` is just past an opening quote; returns the index just past the closing quote, or NOT_JSON. */
export function skipString(buf: Uint8Array, i: number, limit: number): number {
  if (buf === markedBuf) return skipMarkedString(buf, markedBits, i, limit);
  lastStringEscaped = false;
  for (;;) {
    let c = buf[i];
    while (PLAIN_STRING_BYTE[c] === 1) c = buf[++i];
    if (i >= limit) return NOT_JSON;
    if (c === 0x22) return i + 1;
    if (c !== 0x5c) return NOT_JSON; // a control character
    i = skipEscape(buf, i, limit);
    if (i < 0) return i;
  }
}

/** skipString with the bitmap: the next set bit at or after `i` is the next byte that is not plain. */
function skipMarkedString(buf: Uint8Array, bits: Int32Array, i: number, limit: number): number {
  lastStringEscaped = false;
  for (;;) {
    let w = i >>> 5;
    let x = bits[w] & (-1 << (i & 31));
    while (x === 0) x = bits[++w];
    i = (w << 5) | (31 - clz32(x & -x)); // the lowest set bit
    if (i >= limit) return NOT_JSON;
    const c = buf[i];
    if (c === 0x22) return i + 1;
    if (c !== 0x5c) return NOT_JSON; // a control character
    i = skipEscape(buf, i, limit);
    if (i < 0) return i;
  }
}

/** The escape whose backslash is at `i` (before `limit`): the index past it, or NOT_JSON. */
function skipEscape(buf: Uint8Array, i: number, limit: number): number {
  lastStringEscaped = true;
  if (i + 1 >= limit) return NOT_JSON;
  const c = buf[i + 1];
  if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) return i + 2;
  if (c !== 0x75 || i + 6 > limit || !isHex(buf[i + 2]) || !isHex(buf[i + 3]) || !isHex(buf[i + 4]) || !isHex(buf[i + 5])) return NOT_JSON;
  return i + 6;
}

function isHex(c: number): boolean {
  const lower = c | 0x20;
  return (c >= 0x30 && c <= 0x39) || (lower >= 0x61 && lower <= 0x66);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? starting at `i`. */
function skipNumber(buf: Uint8Array, i: number, limit: number): number {
  let c = buf[i];
  if (c === 0x2d) c = buf[++i];
  if (c === 0x30) {
    c = buf[++i];
  } else if (c >= 0x31 && c <= 0x39) {
    do c = buf[++i];
    while (isDigit(c));
  } else {
    return NOT_JSON;
  }
  if (c === 0x2e) {
    c = buf[++i];
    if (!isDigit(c)) return NOT_JSON;
    do c = buf[++i];
    while (isDigit(c));
  }
  if (c === 0x65 || c === 0x45) {
    c = buf[++i];
    if (c === 0x2b || c === 0x2d) c = buf[++i];
    if (!isDigit(c)) return NOT_JSON;
    do c = buf[++i];
    while (isDigit(c));
  }
  return i > limit ? NOT_JSON : i;
}

function skipLiteral(buf: Uint8Array, i: number, limit: number, c: number): number {
  if (c === 0x74) return i + 4 <= limit && buf[i + 1] === 0x72 && buf[i + 2] === 0x75 && buf[i + 3] === 0x65 ? i + 4 : NOT_JSON;
  if (c === 0x66) {
    return i + 5 <= limit && buf[i + 1] === 0x61 && buf[i + 2] === 0x6c && buf[i + 3] === 0x73 && buf[i + 4] === 0x65 ? i + 5 : NOT_JSON;
  }
  return i + 4 <= limit && buf[i + 1] === 0x75 && buf[i + 2] === 0x6c && buf[i + 3] === 0x6c ? i + 4 : NOT_JSON;
}

/** The value starting at `i` (a non-blank byte, i < limit); `depth` counts the containers around it. */
export function skipValue(buf: Uint8Array, i: number, limit: number, depth: number): number {
  const c = buf[i];
  if (c === 0x22) return skipString(buf, i + 1, limit);
  if (c === 0x7b) return skipObject(buf, i, limit, depth + 1);
  if (c === 0x5b) return skipArray(buf, i, limit, depth + 1);
  if (c === 0x74 || c === 0x66 || c === 0x6e) return skipLiteral(buf, i, limit, c);
  return skipNumber(buf, i, limit);
}

/** The object whose '{' is at `i`. */
export function skipObject(buf: Uint8Array, i: number, limit: number, depth: number): number {
  if (depth > MAX_DEPTH) return UNSURE;
  i = buf[i + 1] > 0x20 ? i + 1 : skipBlank(buf, i + 1, limit);
  if (buf[i] === 0x7d && i < limit) return i + 1;
  for (;;) {
    if (buf[i] !== 0x22 || i >= limit) return NOT_JSON;
    i = skipString(buf, i + 1, limit);
    if (i < 0) return i;
    if (buf[i] <= 0x20) i = skipBlank(buf, i, limit);
    if (buf[i] !== 0x3a || i >= limit) return NOT_JSON;
    i = buf[i + 1] > 0x20 ? i + 1 : skipBlank(buf, i + 1, limit);
    if (i >= limit) return NOT_JSON;
    i = skipValue(buf, i, limit, depth);
    if (i < 0) return i;
    if (buf[i] <= 0x20) i = skipBlank(buf, i, limit);
    if (i >= limit) return NOT_JSON;
    const c = buf[i];
    if (c === 0x7d) return i + 1;
    if (c !== 0x2c) return NOT_JSON;
    i = buf[i + 1] > 0x20 ? i + 1 : skipBlank(buf, i + 1, limit);
  }
}

/** The array whose '[' is at `i`. */
export function skipArray(buf: Uint8Array, i: number, limit: number, depth: number): number {
  if (depth > MAX_DEPTH) return UNSURE;
  i = buf[i + 1] > 0x20 ? i + 1 : skipBlank(buf, i + 1, limit);
  if (buf[i] === 0x5d && i < limit) return i + 1;
  for (;;) {
    if (i >= limit) return NOT_JSON;
    i = skipValue(buf, i, limit, depth);
    if (i < 0) return i;
    if (buf[i] <= 0x20) i = skipBlank(buf, i, limit);
    if (i >= limit) return NOT_JSON;
    const c = buf[i];
    if (c === 0x5d) return i + 1;
    if (c !== 0x2c) return NOT_JSON;
    i = buf[i + 1] > 0x20 ? i + 1 : skipBlank(buf, i + 1, limit);
  }
}
