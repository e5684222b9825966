// The JSON walk of src/decode/jsonBytes.ts (skipObject and what it calls), in AssemblyScript, to measure what a
// WebAssembly walk would gain (scripts/bench/walkCpu.js). Strings are skipped 16 bytes at a time with SIMD. Built
// with assemblyscript 0.28.20, which the project does not depend on:
//   npx asc walk.ts -O3 --runtime stub --enable simd --initialMemory 64 --noAssert -t walk.wat
// walk.wat, its output, is what walkCpu.js assembles (with wabt, as scripts/build-string-bitmap.js does).
const NOT_JSON: i32 = -1;
const UNSURE: i32 = -2;
const MAX_DEPTH: i32 = 64;

@inline function skipBlank(i: i32, limit: i32): i32 {
  while (i < limit) {
    const c = load<u8>(i);
    if (c != 0x20 && c != 0x0d && c != 0x09) break;
    i++;
  }
  return i;
}

@inline function isHex(c: u32): bool {
  const l = c | 0x20;
  return (c - 0x30 < 10) || (l - 0x61 < 6);
}

let lastEscaped: bool = false;

function skipString(i: i32, limit: i32): i32 {
  lastEscaped = false;
  const quote = i8x16.splat(0x22);
  const bs = i8x16.splat(0x5c);
  const hi = i8x16.splat(<i8>0xe0);
  const zero = i8x16.splat(0);
  for (;;) {
    for (;;) {
      const v = v128.load(i);
      const m = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, bs)), i8x16.eq(v128.and(v, hi), zero)));
      if (m != 0) { i += ctz(m); break; }
      i += 16;
    }
    if (i >= limit) return NOT_JSON;
    const c = load<u8>(i);
    if (c == 0x22) return i + 1;
    if (c != 0x5c) return NOT_JSON;
    lastEscaped = true;
    if (i + 1 >= limit) return NOT_JSON;
    const e = load<u8>(i + 1);
    if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) { i += 2; continue; }
    if (e != 0x75 || i + 6 > limit || !isHex(load<u8>(i + 2)) || !isHex(load<u8>(i + 3)) || !isHex(load<u8>(i + 4)) || !isHex(load<u8>(i + 5))) return NOT_JSON;
    i += 6;
  }
  return NOT_JSON;
}

@inline function isDigit(c: u32): bool { return c - 0x30 < 10; }

function skipNumber(i: i32, limit: i32): i32 {
  let c: u32 = load<u8>(i);
  if (c == 0x2d) c = load<u8>(++i);
  if (c == 0x30) c = load<u8>(++i);
  else if (c - 0x31 < 9) { do c = load<u8>(++i); while (isDigit(c)); }
  else return NOT_JSON;
  if (c == 0x2e) { c = load<u8>(++i); if (!isDigit(c)) return NOT_JSON; do c = load<u8>(++i); while (isDigit(c)); }
  if (c == 0x65 || c == 0x45) { c = load<u8>(++i); if (c == 0x2b || c == 0x2d) c = load<u8>(++i); if (!isDigit(c)) return NOT_JSON; do c = load<u8>(++i); while (isDigit(c)); }
  return i > limit ? NOT_JSON : i;
}

function skipLiteral(i: i32, limit: i32, c: u32): i32 {
  if (c == 0x74) return i + 4 <= limit && load<u32>(i) == 0x65757274 ? i + 4 : NOT_JSON;
  if (c == 0x66) return i + 5 <= limit && load<u32>(i + 1) == 0x65736c61 ? i + 5 : NOT_JSON;
  return i + 4 <= limit && load<u32>(i) == 0x6c6c756e ? i + 4 : NOT_JSON;
}

function skipValue(i: i32, limit: i32, depth: i32): i32 {
  const c: u32 = load<u8>(i);
  if (c == 0x22) return skipString(i + 1, limit);
  if (c == 0x7b) return skipObject(i, limit, depth + 1);
  if (c == 0x5b) return skipArray(i, limit, depth + 1);
  if (c == 0x74 || c == 0x66 || c == 0x6e) return skipLiteral(i, limit, c);
  return skipNumber(i, limit);
}

export function skipObject(i: i32, limit: i32, depth: i32): i32 {
  if (depth > MAX_DEPTH) return UNSURE;
  i = load<u8>(i + 1) > 0x20 ? i + 1 : skipBlank(i + 1, limit);
  if (load<u8>(i) == 0x7d && i < limit) return i + 1;
  for (;;) {
    if (load<u8>(i) != 0x22 || i >= limit) return NOT_JSON;
    i = skipString(i + 1, limit);
    if (i < 0) return i;
    if (load<u8>(i) <= 0x20) i = skipBlank(i, limit);
    if (load<u8>(i) != 0x3a || i >= limit) return NOT_JSON;
    i = load<u8>(i + 1) > 0x20 ? i + 1 : skipBlank(i + 1, limit);
    if (i >= limit) return NOT_JSON;
    i = skipValue(i, limit, depth);
    if (i < 0) return i;
    if (load<u8>(i) <= 0x20) i = skipBlank(i, limit);
    if (i >= limit) return NOT_JSON;
    const c = load<u8>(i);
    if (c == 0x7d) return i + 1;
    if (c != 0x2c) return NOT_JSON;
    i = load<u8>(i + 1) > 0x20 ? i + 1 : skipBlank(i + 1, limit);
  }
  return NOT_JSON;
}

function skipArray(i: i32, limit: i32, depth: i32): i32 {
  if (depth > MAX_DEPTH) return UNSURE;
  i = load<u8>(i + 1) > 0x20 ? i + 1 : skipBlank(i + 1, limit);
  if (load<u8>(i) == 0x5d && i < limit) return i + 1;
  for (;;) {
    if (i >= limit) return NOT_JSON;
    i = skipValue(i, limit, depth);
    if (i < 0) return i;
    if (load<u8>(i) <= 0x20) i = skipBlank(i, limit);
    if (i >= limit) return NOT_JSON;
    const c = load<u8>(i);
    if (c == 0x5d) return i + 1;
    if (c != 0x2c) return NOT_JSON;
    i = load<u8>(i + 1) > 0x20 ? i + 1 : skipBlank(i + 1, limit);
  }
  return NOT_JSON;
}

/**
 * Walks every line of [base, base + len) that starts with '{' and writes, for line k, what skipObject returned for
 * it (the index just past the object, NOT_JSON or UNSURE) at out + 4k. Returns the number of lines walked. The
 * caller puts a line feed at base + len and keeps 16 readable bytes after it (the SIMD loads read ahead).
 */
export function walkLines(base: i32, len: i32, out: i32): i32 {
  let n = 0;
  let i = base;
  const end = base + len;
  while (i < end) {
    // find LF
    let j = i;
    const nl = i8x16.splat(0x0a);
    for (;;) { const m = i8x16.bitmask(i8x16.eq(v128.load(j), nl)); if (m != 0) { j += ctz(m); break; } j += 16; }
    if (j > end) j = end;
    if (j > i && load<u8>(i) == 0x7b) {
      store<i32>(out + (n << 2), skipObject(i, j, 1));
      n++;
    }
    i = j + 1;
  }
  return n;
}
