import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type DecodeOptions, type DecodeStats, decodeStream } from '../../../src/decode/decodeStream';
import { closeDecodeWorkers, decodeStreamInWorker } from '../../../src/decode/decodeWorkerPool';
import type { DecodeSink, QuarantineItem, QuarantineKind } from '../../../src/decode/logRecord';
import { QUARANTINE_RAW_LIMIT } from '../../../src/decode/logRecord';
import { DEFAULT_MAX_ITEM_BYTES, DEFAULT_MAX_ITEM_KEYS } from '../../../src/decode/jsonValueScanner';

const ROOT = path.resolve(__dirname, '../../..');
type Decoder = (input: Readable, options: DecodeOptions, sink: DecodeSink) => Promise<DecodeStats>;

afterAll(() => closeDecodeWorkers());

function record(n: number, extra = ''): string {
  const id = String(n).padStart(56, '9');
  return `{"log_id":"${id}","date":"2025-08-05T19:19:43.071Z","type":"s","tenant_name":"acme"${extra}}`;
}

/** Splits `text` into chunks of `size` bytes, so items cross chunk boundaries. */
function chunks(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

async function decode(decoder: Decoder, input: Buffer[], limits: Partial<DecodeOptions>) {
  const logIds: Array<string | null> = [];
  const quarantine: Array<{ kind: QuarantineKind; item: QuarantineItem }> = [];
  const stats = await decoder(Readable.from(input), { source: 'obj', defaultTenant: 'dflt', ...limits }, {
    record: (r) => logIds.push(r.logId),
    quarantine: (kind, item) => quarantine.push({ kind, item }),
  });
  return { logIds, quarantine, stats };
}

test('the defaults: 16 MiB per item, 10,000 keys', () => {
  expect(DEFAULT_MAX_ITEM_BYTES).toBe(16 * 1024 * 1024);
  expect(DEFAULT_MAX_ITEM_KEYS).toBe(10_000);
});

describe.each([
  ['on this thread', decodeStream],
  ['on a decode worker', decodeStreamInWorker],
])('item limits, %s', (_name, decoder) => {
  // 4000 x-characters make the middle record 4,096 + 80-odd bytes long, past a 4,096-byte limit.
  const big = record(2, `,"note":"${'x'.repeat(4000)}"`);
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `,"k${i}":${i}`).join('');

  test.each([1 << 20, 4096, 1000, 7])('an item past --max-item-bytes is malformed too_large, the items around it are read (chunks of %i)', async (size) => {
    const text = `${record(1)}\n${big}\n${record(3)}\n`;
    const { logIds, quarantine, stats } = await decode(decoder, chunks(text, size), { maxItemBytes: 4096 });
    expect(logIds).toEqual([record(1), record(3)].map((r) => JSON.parse(r).log_id));
    expect(stats).toEqual({ values: 2, records: 2, malformed: 1, rejected: 0 });
    expect(quarantine).toEqual([{ kind: 'malformed', item: { source: 'obj', line: 2, reason: 'malformed: too_large: item longer than 4096 bytes', raw: big } }]);
  });

  test('an item of exactly the limit is read', async () => {
    const exact = record(2, `,"n":"${'y'.repeat(100)}"`);
    const { stats } = await decode(decoder, chunks(`${exact}\n`, 50), { maxItemBytes: Buffer.byteLength(exact) });
    expect(stats.records).toBe(1);
  });

  test.each([1 << 20, 13])('a record with more keys than --max-item-keys, nested ones counted, is malformed too_many_keys (chunks of %i)', async (size) => {
    // record() has 4 keys: with 6 more it has 10 (read); the nested object brings the other one to 11 (not read).
    const ten = record(1, keys(6));
    const eleven = record(2, `${keys(5)},"nested":{"a":1}`);
    const text = `${ten}\n${eleven}\n[${record(3)},${eleven}]\n`;
    const { logIds, quarantine, stats } = await decode(decoder, chunks(text, size), { maxItemKeys: 10 });
    expect(logIds).toEqual([JSON.parse(ten).log_id, JSON.parse(record(3)).log_id]);
    expect(stats).toEqual({ values: 2, records: 2, malformed: 2, rejected: 0 });
    expect(quarantine.map(({ item }) => [item.line, item.reason, item.raw])).toEqual([
      [2, 'malformed: too_many_keys: item with more than 10 keys', eleven],
      [3, 'malformed: too_many_keys: item with more than 10 keys', eleven],
    ]);
  });

  test('an unterminated string past the limit is one too_large item, cut for the quarantine', async () => {
    const text = `${record(1)}\n{"log_id":"${'z'.repeat(200_000)}`;
    const { logIds, quarantine, stats } = await decode(decoder, chunks(text, 65536), { maxItemBytes: 100_000 });
    expect(logIds).toHaveLength(1);
    expect(stats.malformed).toBe(1);
    expect(quarantine[0]!.item.reason).toBe('malformed: too_large: item longer than 100000 bytes');
    // The first QUARANTINE_RAW_LIMIT characters of the item.
    expect(quarantine[0]!.item.raw).toBe(`{"log_id":"${'z'.repeat(QUARANTINE_RAW_LIMIT - 11)}`);
  });

  test('a syntax error after an item went past the limit: the rest of its line is that item\'s, the next line is read', async () => {
    const line = `{"a":"${'q'.repeat(5000)}", oops}`;
    const { logIds, quarantine, stats } = await decode(decoder, chunks(`${line}\n${record(4)}\n`, 1000), { maxItemBytes: 4096 });
    expect(logIds).toEqual([JSON.parse(record(4)).log_id]);
    expect(stats).toEqual({ values: 1, records: 1, malformed: 1, rejected: 0 });
    expect(quarantine.map(({ item }) => [item.line, item.reason, item.raw])).toEqual([[1, 'malformed: too_large: item longer than 4096 bytes', line]]);
  });

  // An object inside the broken item is not a record: the same line within the limit is one malformed item (the
  // walk skips to the line's end), and so is it past the limit.
  test.each([
    ['--max-item-keys', { maxItemKeys: 10 }, `{${Array.from({ length: 11 }, (_, i) => `"k${i}":0`).join(',')},"bad" ${record(5)}}`, 'malformed: too_many_keys: item with more than 10 keys'],
    ['--max-item-bytes', { maxItemBytes: 4096 }, `{"pad":"${'p'.repeat(5000)}","bad" ${record(5)}}`, 'malformed: too_large: item longer than 4096 bytes'],
  ])('a syntax error after an item went past %s: nothing nested in it is read as a record', async (_flag, limits, line, reason) => {
    const { logIds, quarantine, stats } = await decode(decoder, chunks(`${record(1)}\n${line}\n${record(3)}\n`, 1000), limits);
    expect(logIds).toEqual([record(1), record(3)].map((r) => JSON.parse(r).log_id));
    expect(stats).toEqual({ values: 2, records: 2, malformed: 1, rejected: 0 });
    expect(quarantine.map(({ item }) => [item.line, item.reason])).toEqual([[2, reason]]);
  });

  // The line that cuts the item short may begin in an earlier chunk than its first non-blank byte (indentation).
  test.each([0, 1, 2, 3])('an item past the limit over several lines, cut short by an indented record, split %i bytes into its line: the record is read', async (into) => {
    const cut = `{\n${Array.from({ length: 11 }, (_, i) => `  "k${i}":0,`).join('\n')}\n`;
    const text = `${cut}  ${record(6)}\n${record(7)}\n`;
    const at = cut.length + into;
    const { logIds, quarantine, stats } = await decode(decoder, [Buffer.from(text.slice(0, at)), Buffer.from(text.slice(at))], { maxItemKeys: 10 });
    expect(logIds).toEqual([record(6), record(7)].map((r) => JSON.parse(r).log_id));
    expect(stats).toEqual({ values: 2, records: 2, malformed: 1, rejected: 0 });
    expect(quarantine.map(({ item }) => [item.line, item.reason])).toEqual([[1, 'malformed: too_many_keys: item with more than 10 keys']]);
  });

  test('an item past the limit over several lines, cut short by a record on a line of its own: that record is read', async () => {
    const cut = `{\n${Array.from({ length: 11 }, (_, i) => `"k${i}":0,`).join('\n')}\n`;
    const { logIds, quarantine, stats } = await decode(decoder, chunks(`${cut}${record(6)}\n${record(7)}\n`, 1000), { maxItemKeys: 10 });
    expect(logIds).toEqual([record(6), record(7)].map((r) => JSON.parse(r).log_id));
    expect(stats).toEqual({ values: 2, records: 2, malformed: 1, rejected: 0 });
    expect(quarantine.map(({ item }) => [item.line, item.reason])).toEqual([[1, 'malformed: too_many_keys: item with more than 10 keys']]);
  });

  // A line cut right after ':' takes the next line's record in as its value. Whether the item is found past
  // --max-item-bytes before the error (at a chunk boundary) or not (one chunk) must not decide whether that record is
  // read: it was lost whenever a chunk boundary fell after the item's 4,096th byte.
  test.each([
    ['an error on the line after', `\n${record(3)}\n`, [2, 3]],
    ['the end of the input', '\n', [2]],
  ])('a cut line that took in a record and went past the limit before %s: the record is read, however it is chunked', async (_end, tail, ids) => {
    const cut = `{"type":"s","pad":"${'q'.repeat(3000)}","date":\n`;
    const text = `${cut}${record(2, `,"note":"${'x'.repeat(2000)}"`)}${tail}`;
    for (const size of [1 << 20, 4500, 4097, 1000, 7]) {
      const { logIds, quarantine, stats } = await decode(decoder, chunks(text, size), { maxItemBytes: 4096 });
      expect(logIds).toEqual(ids.map((n) => JSON.parse(record(n)).log_id));
      expect(stats.malformed).toBe(1);
      expect(quarantine.map(({ item }) => [item.line, item.raw])).toEqual([[1, cut.trimEnd()]]);
    }
  });

  test('a cut line that took in a record and went past --max-item-keys: the record is read', async () => {
    const { logIds, quarantine } = await decode(decoder, chunks(`{"a":\n${record(2, keys(6))}\n${record(3)}\n`, 1000), { maxItemKeys: 10 });
    expect(logIds).toEqual([2, 3].map((n) => JSON.parse(record(n)).log_id));
    expect(quarantine.map(({ item }) => [item.line, item.reason, item.raw])).toEqual([[1, 'malformed: too_many_keys: item with more than 10 keys', '{"a":']]);
  });
});

describe('memory stays bounded by the limit, not by the item (a child process)', () => {
  const MiB = 1024 * 1024;
  /**
   * Runs a decode of the built code (dist/, built by globalSetup) in a child: `shape` 'none' (a control run), 'string' (an unterminated string) or 'record' (one valid
   * record of one long field) of `mib` MiB, generated in fresh 1 MiB chunks, with a 1 MiB item limit. Prints the
   * stats and, every 4 MiB, live memory (heap plus Buffers, after a full collection) over the first such sample.
   * The collector runs single-threaded so that a collection has freed all it will when it returns.
   */
  function child(mode: 'thread' | 'worker', shape: 'none' | 'string' | 'record', mib: number) {
    const script = `
      const { Readable } = require('node:stream');
      const { decodeStream } = require(${JSON.stringify(path.join(ROOT, 'dist/decode/decodeStream.js'))});
      const pool = require(${JSON.stringify(path.join(ROOT, 'dist/decode/decodeWorkerPool.js'))});
      const shape = ${JSON.stringify(shape)}, total = ${mib} * ${MiB};
      let baseline; const live = [];
      function* generate() {
        if (shape === 'none') { yield Buffer.from('{"log_id":"1","date":"2025-08-05T19:19:43.071Z","type":"s"}\\n'); return; }
        yield Buffer.from('{"log_id":"1","date":"2025-08-05T19:19:43.071Z","type":"s","note":"');
        for (let sent = 0; sent < total; sent += ${MiB}) {
          // What the process holds alive, measured after a full collection: the heap (strings) and every live
          // Buffer. Spent chunks are garbage and do not count; an item held whole would, as bytes or as a string.
          if (sent % ${4 * MiB} === 0) {
            globalThis.gc();
            const { heapUsed, arrayBuffers } = process.memoryUsage();
            if (baseline === undefined) baseline = heapUsed + arrayBuffers;
            live.push(heapUsed + arrayBuffers - baseline);
          }
          yield Buffer.alloc(${MiB}, 0x61);
        }
        if (shape === 'record') yield Buffer.from('"}\\n');
      }
      const reasons = [];
      const decode = ${JSON.stringify(mode)} === 'worker' ? pool.decodeStreamInWorker : decodeStream;
      decode(Readable.from(generate()), { source: 'big', defaultTenant: 't', maxItemBytes: ${MiB} }, {
        record() {},
        quarantine(kind, item) { reasons.push(item.reason.split(':')[1].trim() + ' ' + item.raw.length); },
      }).then(async (stats) => {
        await pool.closeDecodeWorkers();
        process.stdout.write(JSON.stringify({ stats, reasons, live }));
      });
    `;
    const result = spawnSync(process.execPath, ['--expose-gc', '--single-threaded-gc', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as { stats: DecodeStats; reasons: string[]; live: number[] };
  }

  test.each([
    ['thread', 64, 20],
    ['worker', 16, 8],
  ] as const)('on the %s: an unterminated %i MiB string and a valid %i MiB record', (mode, stringMib, recordMib) => {
    const control = child(mode, 'none', 0);
    expect(control.stats.records).toBe(1);
    const unterminated = child(mode, 'string', stringMib);
    const valid = child(mode, 'record', recordMib);
    expect(unterminated.stats).toEqual({ values: 0, records: 0, malformed: 1, rejected: 0 });
    expect(valid.stats).toEqual({ values: 0, records: 0, malformed: 1, rejected: 0 });
    // Cut to the quarantine's limit.
    expect(unterminated.reasons).toEqual([`too_large ${QUARANTINE_RAW_LIMIT}`]);
    expect(valid.reasons).toEqual([`too_large ${QUARANTINE_RAW_LIMIT}`]);
    if (mode === 'thread') {
      // Holding either item whole (as bytes, let alone as a string) would keep its size alive, growing with every
      // chunk; with the limit, what is held is the 1 MiB limit plus the chunks in flight, and stops growing. Live
      // memory, not maxRSS: how much freed memory the allocator keeps mapped differs between Node lines by more
      // than these bounds.
      for (const { live } of [unterminated, valid]) {
        expect(Math.max(...live)).toBeLessThan(8 * MiB);
        const half = live.slice(Math.floor(live.length / 2));
        expect(Math.max(...half) - Math.min(...half)).toBeLessThan(1 * MiB);
      }
    }
    // On a worker the chunks live on the worker's own heap, which this process's memoryUsage() does not see; the
    // worker runs the same decoder, so the stats and the cut above are what is checked there.
  });
});
