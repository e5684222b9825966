import { CACHE_BYPASS, CACHE_WINDOW, FastRecordReader, RECORD_STRING_FIELDS } from '../../../src/decode/fastRecord';
import { CACHE_SLOTS, NOT_CACHED, SpanCache, definedSlot } from '../../../src/decode/spanCache';
import { seededRandom } from './archiveGenerator';

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

  it('hits only for the very bytes a slot was filled with (a model check over spans that differ in one byte)', () => {
    const cache = new SpanCache();
    const model = new Map<number, string>(); // slot → the text it was last filled with
    const rnd = seededRandom(3);
    const wrong: string[] = [];
    let hits = 0;
    for (let i = 0; i < 100_000; i++) {
      // Few distinct values of every length from 1 to 64, many of them one byte apart, so that slots are shared.
      const length = 1 + Math.floor(rnd() * 64);
      const text = 'k'.repeat(length - 1) + String.fromCharCode(0x61 + Math.floor(rnd() * 20));
      const result = lookUp(cache, text);
      if (result >= 0) {
        hits++;
        if (model.get(result) !== text) wrong.push(`${text} hit slot ${result} holding ${model.get(result)}`);
      } else {
        model.set(definedSlot(result), text);
      }
    }
    expect(wrong).toEqual([]);
    expect(hits).toBeGreaterThan(75_000);
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

describe('FastRecordReader cache policy', () => {
  const USER = RECORD_STRING_FIELDS.indexOf('userId');
  const CLIENT = RECORD_STRING_FIELDS.indexOf('clientId');
  const item = (userId: string, clientId: string) =>
    Buffer.from(`{"type":"s","date":"2024-01-01T00:00:00.000Z","client_id":"${clientId}","user_id":"${userId}"}\n`);

  /** Reads `count` records from `next`; returns each one's user and client refs, checking its values. */
  function readAll(reader: FastRecordReader, count: number, next: (i: number) => [string, string]): Array<[number, number]> {
    const refs: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) {
      const [userId, clientId] = next(i);
      const buf = item(userId, clientId);
      // Checked without expect(), whose cost per call would dominate here.
      if (reader.read(buf, 0, buf.length - 1) !== buf.length - 1) throw new Error(`record ${i} not read`);
      const record = reader.toLogRecord(buf);
      if (record.userId !== userId || record.clientId !== clientId) throw new Error(`record ${i}: ${record.userId} ${record.clientId}`);
      refs.push([reader.refs[USER], reader.refs[CLIENT]]);
    }
    return refs;
  }

  it('stops looking up a field whose values do not repeat, for CACHE_BYPASS values, then tries again', () => {
    const reader = new FastRecordReader('d');
    const refs = readAll(reader, CACHE_WINDOW + CACHE_BYPASS + CACHE_WINDOW, (i) => [`auth0|${i}`, `client-${i % 7}`]);
    const userRefs = refs.map(([user]) => user);
    // The first window: every user misses and fills a slot.
    expect(userRefs.slice(0, CACHE_WINDOW).every((ref) => ref < NOT_CACHED)).toBe(true);
    // Then not looked up at all.
    expect(userRefs.slice(CACHE_WINDOW, CACHE_WINDOW + CACHE_BYPASS).every((ref) => ref === NOT_CACHED)).toBe(true);
    // Then looked up again.
    expect(userRefs.slice(CACHE_WINDOW + CACHE_BYPASS).every((ref) => ref < NOT_CACHED)).toBe(true);
    // The client, which repeats, is no longer evicted by users while they are not looked up.
    expect(refs.slice(CACHE_WINDOW + 7, CACHE_WINDOW + CACHE_BYPASS).every(([, client]) => client >= 0)).toBe(true);
  });

  it('keeps looking up a field whose values repeat, even when a first window fills many slots', () => {
    const reader = new FastRecordReader('d');
    // 3 000 users in a cycle: the first window misses 3 000 of 4 096 times (73%); later ones hit, but for the few
    // users that share a slot with another (direct mapping: about 4% of 3 000 values in 32 768 slots).
    const refs = readAll(reader, 4 * CACHE_WINDOW, (i) => [`auth0|${i % 3000}`, 'client-1']);
    expect(refs.some(([user]) => user === NOT_CACHED)).toBe(false);
    const hits = refs.slice(3000).filter(([user]) => user >= 0).length;
    expect(hits).toBeGreaterThan((4 * CACHE_WINDOW - 3000) * 0.85);
  });
});
