/**
 * The string bitmap (src/decode/stringBitmap.ts): skipString read from it returns what the byte loop it replaces
 * returned, for every start in random buffers and at every offset around the 16-, 32- and 64-byte blocks and the
 * 64 KiB copy window; without WebAssembly SIMD it reads byte by byte and agrees too; and the shipped module is the
 * .wat's assembly.
 */
import path from 'node:path';
import { NOT_JSON, skipString, stringWasEscaped } from '../../../src/decode/jsonBytes';
import { StringBitmap, stringBitmap } from '../../../src/decode/stringBitmap';
import { STRING_BITMAP_WASM } from '../../../src/decode/stringBitmapWasm';
import { type Random, seededRandom } from '../../support/seededRandom';

/** skipString as it was before the bitmap: the reference every path is held to. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 256; c++) PLAIN[c] = 1;
PLAIN[0x22] = 0;
PLAIN[0x5c] = 0;
const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

function referenceSkip(buf: Uint8Array, i: number, limit: number): { end: number; escaped: boolean } {
  let escaped = false;
  for (;;) {
    let c = buf[i];
    while (PLAIN[c] === 1) c = buf[++i];
    if (i >= limit) return { end: NOT_JSON, escaped };
    if (c === 0x22) return { end: i + 1, escaped };
    if (c !== 0x5c) return { end: NOT_JSON, escaped };
    escaped = true;
    if (i + 1 >= limit) return { end: NOT_JSON, escaped };
    c = buf[i + 1];
    if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) {
      i += 2;
    } else if (c === 0x75) {
      if (i + 6 > limit || !isHex(buf[i + 2]) || !isHex(buf[i + 3]) || !isHex(buf[i + 4]) || !isHex(buf[i + 5])) return { end: NOT_JSON, escaped };
      i += 6;
    } else {
      return { end: NOT_JSON, escaped };
    }
  }
}

const QUOTE = 0x22;
const LF = 0x0a;

/** Pieces of string content, good and bad: plain text, every escape, bad escapes and \u with bad hex, controls. */
const PIECES: ReadonlyArray<string | number[]> = [
  'a', 'user_id', 'Mozilla/5.0 (X11; Linux x86_64)', ' ', '~', '\x7f', '"', '\\', '\n', '\t', '\r', '\x00', '\x1f',
  '\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u00e9', '\\uABCD', '\\uD83D\\uDE00', '\\u12', '\\u12g4',
  '\\uG000', '\\u 123', '\\x', '\\a', '\\0', '\\U0041', '\\\n', '\\"\\',
  [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0x80], [0xff], [0xc3],
];

function randomBuffer(random: Random, length: number): Buffer {
  const bytes: number[] = [];
  while (bytes.length < length) {
    const piece = PIECES[Math.floor(random() * PIECES.length)];
    for (const b of typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece) bytes.push(b);
  }
  bytes.length = length;
  // The walk's callers pass a limit where the buffer holds '"' or a line feed: the last byte is one.
  bytes[length - 1] = random() < 0.5 ? QUOTE : LF;
  return Buffer.from(bytes);
}

/** Every index that may serve as a limit: a '"' or a line feed. */
function limits(buf: Uint8Array): number[] {
  const found: number[] = [];
  for (let k = 0; k < buf.length; k++) if (buf[k] === QUOTE || buf[k] === LF) found.push(k);
  return found;
}

/** skipString from every start at or before `limit`, against the reference; each difference goes to `failures`. */
function mismatches(buf: Uint8Array, limit: number, describe: string, failures: string[]): void {
  for (let i = 0; i <= limit; i++) {
    const want = referenceSkip(buf, i, limit);
    const end = skipString(buf, i, limit);
    const escaped = stringWasEscaped();
    if (end !== want.end || escaped !== want.escaped) {
      failures.push(`${describe} i=${i} limit=${limit}: ${end}/${escaped}, want ${want.end}/${want.escaped}`);
    }
  }
}

describe('skipString from the string bitmap', () => {
  it('is available where the project runs (Node 20 and later have WebAssembly SIMD)', () => {
    expect(stringBitmap.available).toBe(true);
  });

  it('agrees with the byte loop from every start, for every limit, in random buffers', () => {
    const random = seededRandom(17);
    const failures: string[] = [];
    for (let n = 0; n < 400; n++) {
      const buf = randomBuffer(random, 1 + Math.floor(random() * 300));
      expect(stringBitmap.mark(buf)).toBe(true);
      const candidates = limits(buf);
      for (let k = 0; k < 4; k++) {
        const limit = k === 0 ? buf.length - 1 : candidates[Math.floor(random() * candidates.length)];
        mismatches(buf, limit, `buffer ${n}`, failures);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('agrees with a quote, backslash, escape or control byte on either side of every block boundary', () => {
    const failures: string[] = [];
    const specials = ['"', '\\"', '\\\\', '\\u0041', '\\u004', '\\q', '\n', '\x01', '\\'];
    for (const special of specials) {
      for (let at = 0; at < 140; at++) {
        const text = 'a'.repeat(at) + special + 'b'.repeat(150 - at) + '"';
        const buf = Buffer.from(text, 'latin1');
        stringBitmap.mark(buf);
        for (const limit of limits(buf)) mismatches(buf, limit, `${JSON.stringify(special)} at ${at}`, failures);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('agrees across the 64 KiB copy window, in a gunzip-sized chunk', () => {
    const random = seededRandom(18);
    const buf = randomBuffer(random, (1 << 20) + 37);
    // An escaped quote then a closing quote: the backslash the last byte of a window, of a block, or neither.
    const ats = [65536, 131072 + 31, 196608 + 2];
    for (const at of ats) {
      buf.fill(0x61, at - 40, at + 40);
      buf[at - 1] = 0x5c;
      buf[at] = QUOTE;
      buf[at + 1] = QUOTE;
    }
    expect(stringBitmap.mark(buf)).toBe(true);
    const limit = buf.length - 1;
    for (const at of ats) {
      expect([skipString(buf, at - 30, limit), stringWasEscaped()]).toEqual([at + 2, true]);
      expect([skipString(buf, at, limit), stringWasEscaped()]).toEqual([at + 1, false]);
    }
    const failures: string[] = [];
    for (const at of ats) {
      for (let i = at - 40; i <= at + 40; i++) {
        const want = referenceSkip(buf, i, limit);
        const end = skipString(buf, i, limit);
        if (end !== want.end || stringWasEscaped() !== want.escaped) failures.push(`i=${i}: ${end}, want ${want.end}`);
      }
    }
    for (let n = 0; n < 3000; n++) {
      const i = Math.floor(random() * buf.length);
      const want = referenceSkip(buf, i, limit);
      if (skipString(buf, i, limit) !== want.end || stringWasEscaped() !== want.escaped) failures.push(`i=${i}`);
    }
    expect(failures).toEqual([]);
  });

  it('reads a buffer it did not mark, and one too long to mark, byte by byte', () => {
    const random = seededRandom(19);
    const marked = randomBuffer(random, 200);
    const other = Buffer.from(marked); // same bytes, another buffer: no bitmap of it
    stringBitmap.mark(marked);
    const failures: string[] = [];
    mismatches(other, other.length - 1, 'unmarked', failures);
    const long = Buffer.concat(new Array<Buffer>(Math.ceil((5 << 20) / marked.length)).fill(marked));
    expect(stringBitmap.mark(long)).toBe(false);
    for (let i = 0; i < 2000; i++) {
      const want = referenceSkip(long, i, long.length - 1);
      if (skipString(long, i, long.length - 1) !== want.end || stringWasEscaped() !== want.escaped) failures.push(`long i=${i}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('without WebAssembly SIMD marks nothing, and skipString agrees byte by byte', () => {
    const noSimd = new StringBitmap(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00));
    expect(noSimd.available).toBe(false);
    const random = seededRandom(20);
    const failures: string[] = [];
    for (let n = 0; n < 100; n++) {
      const buf = randomBuffer(random, 1 + Math.floor(random() * 300));
      stringBitmap.mark(buf);
      expect(noSimd.mark(buf)).toBe(false); // and the bitmap marked just before is no longer used
      mismatches(buf, buf.length - 1, `buffer ${n}`, failures);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});

describe('the shipped module', () => {
  it('is stringBitmap.wat as scripts/build-string-bitmap.js assembles it', async () => {
    const build = require(path.resolve(__dirname, '../../../scripts/build-string-bitmap.js')) as { assemble(): Promise<Buffer>; source(bytes: Buffer): string };
    const bytes = await build.assemble();
    expect(Buffer.from(STRING_BITMAP_WASM, 'base64').equals(bytes)).toBe(true);
  });
});
