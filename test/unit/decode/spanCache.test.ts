import { FastRecordReader } from '../../../src/decode/fastRecord';
import { CACHE_SLOTS, NOT_CACHED, SpanCache, definedSlot } from '../../../src/decode/spanCache';

/** Two distinct short spans that fall in the same slot, found by filling a fresh cache. */
function collidingSpans(prefix: string): [string, string] {
  const cache = new SpanCache();
  const bySlot = new Map<number, string>();
  for (let i = 0; ; i++) {
    const text = `${prefix}${i}`;
    const bytes = Buffer.from(text);
    const slot = definedSlot(cache.lookUp(bytes, 0, bytes.length));
    const earlier = bySlot.get(slot);
    if (earlier !== undefined) return [earlier, text];
    bySlot.set(slot, text);
  }
}

function lookUp(cache: SpanCache, text: string): number {
  // The span sits inside a larger buffer, as in a chunk: only its own bytes count.
  const buf = Buffer.from(`{"x":"${text}"}`);
  return cache.lookUp(buf, 6, 6 + Buffer.byteLength(text));
}

describe('SpanCache', () => {
  it('fills a slot on a miss, hits it for the same bytes, and refills it for other bytes in that slot', () => {
    const cache = new SpanCache();
    const [a, b] = collidingSpans('user-');
    const first = lookUp(cache, a);
    expect(first).toBeLessThan(NOT_CACHED);
    const slot = definedSlot(first);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(slot).toBeLessThan(CACHE_SLOTS);
    expect(cache.fills[slot]).toBe(1);
    expect(lookUp(cache, a)).toBe(slot);
    expect(lookUp(cache, b)).toBe(-slot - 2); // b replaces a
    expect(cache.fills[slot]).toBe(2);
    expect(lookUp(cache, b)).toBe(slot);
    expect(lookUp(cache, a)).toBe(-slot - 2);
    expect(cache.fills[slot]).toBe(3);
  });

  it('caches spans of up to 64 bytes, the empty span included', () => {
    const cache = new SpanCache();
    const edge = 'x'.repeat(64);
    expect(lookUp(cache, edge)).toBeLessThan(NOT_CACHED);
    expect(lookUp(cache, edge)).toBeGreaterThanOrEqual(0);
    expect(lookUp(cache, `${edge}y`)).toBe(NOT_CACHED);
    expect(lookUp(cache, `${edge}y`)).toBe(NOT_CACHED);
    expect(lookUp(cache, '')).toBeLessThan(NOT_CACHED);
    expect(lookUp(cache, '')).toBeGreaterThanOrEqual(0);
  });
});

describe('FastRecordReader.toLogRecord', () => {
  const item = (userId: string) => Buffer.from(`{"type":"s","date":"2024-01-01T00:00:00.000Z","user_id":"${userId}"}\n`);
  const read = (reader: FastRecordReader, buf: Buffer) => expect(reader.read(buf, 0, buf.length - 1)).toBe(buf.length - 1);

  it('decodes a slot again when records it did not see refilled the slot', () => {
    const [a, b] = collidingSpans('auth0|');
    const reader = new FastRecordReader('d');
    const first = item(a);
    read(reader, first);
    expect(reader.toLogRecord(first).userId).toBe(a);
    // b refills a's slot in a record nobody turns into a LogRecord, then hits it.
    read(reader, item(b));
    const again = item(b);
    read(reader, again);
    expect(reader.toLogRecord(again).userId).toBe(b);
  });

});
