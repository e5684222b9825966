import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { closeDecodeWorkers, decodeStreamInWorker, inputBuffersMade } from '../../../src/decode/decodeWorkerPool';
import { INPUT_WINDOW_BYTES } from '../../../src/decode/decodeWorkerProtocol';
import { MAX_PENDING_WRITES } from '../../../src/decode/gzip';
import { InputChunkPool } from '../../../src/decode/inputChunkPool';
import type { LogRecord } from '../../../src/decode/logRecord';

afterAll(() => closeDecodeWorkers());

describe('InputChunkPool', () => {
  it('copies a chunk into a buffer of the next power of two (1 KiB at least), reusing one handed back', () => {
    const pool = new InputChunkPool(1 << 20);
    const first = pool.copyOf(Buffer.from('abc'));
    expect([first.byteLength, first.buffer.byteLength, Buffer.from(first).toString()]).toEqual([3, 1024, 'abc']);
    const big = pool.copyOf(Buffer.alloc(65_537, 7));
    expect([big.byteLength, big.buffer.byteLength]).toEqual([65_537, 131_072]);
    expect(pool.allocated).toBe(2);

    // Shared, not transferred: a thread that detaches a buffer reads every typed array more slowly from then on.
    expect(first.buffer).toBeInstanceOf(SharedArrayBuffer);
    const handedBack = first.buffer;
    pool.give(handedBack);
    const again = pool.copyOf(Buffer.from('de'));
    expect(again.buffer).toBe(handedBack);
    expect(Buffer.from(again).toString()).toBe('de');
    expect(pool.allocated).toBe(2);
  });

  it('keeps no more than its limit in bytes, and no buffer of a size it does not make', () => {
    const pool = new InputChunkPool(2048);
    pool.give(new SharedArrayBuffer(1000)); // not a power of two: not one of the pool's
    pool.give(new SharedArrayBuffer(1024));
    pool.give(new SharedArrayBuffer(1024));
    pool.give(new SharedArrayBuffer(1024)); // over 2048 bytes kept: dropped
    for (let i = 0; i < 3; i++) pool.copyOf(Buffer.from('x'));
    expect(pool.allocated).toBe(1);
  });
});

/** One record a line, each with a random (incompressible) description, so that the gzip is nearly as large as the text. */
function archive(records: number): Buffer {
  const descriptionChars = 2000;
  const noise = Buffer.alloc((records * descriptionChars * 3) / 4);
  let x = 0x9e3779b9;
  for (let i = 0; i < noise.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    noise[i] = x & 0xff;
  }
  const text = noise.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < records; i++) {
    const description = text.slice(i * descriptionChars, (i + 1) * descriptionChars);
    lines.push(JSON.stringify({ log_id: String(i).padStart(56, '9'), date: '2024-01-01T00:00:00.000Z', type: 's', user_id: `auth0|${i}`, description }));
  }
  return gzipSync(Buffer.from(`${lines.join('\n')}\n`), { level: 1 });
}

describe('decodeStreamInWorker and the raw input', () => {
  it('reuses the buffers the worker hands back: an object of many times the input window needs about a window of them', async () => {
    await closeDecodeWorkers();
    const gz = archive(10_000);
    const chunkBytes = 64 * 1024;
    const chunks: Buffer[] = [];
    for (let at = 0; at < gz.length; at += chunkBytes) chunks.push(gz.subarray(at, at + chunkBytes));
    // Several windows of input, so that sending each chunk in a new buffer would make several windows of them.
    expect(gz.length).toBeGreaterThan(3 * INPUT_WINDOW_BYTES);
    const records: string[] = [];
    const sink = { record: (record: LogRecord) => void records.push(record.userId), quarantine: () => undefined };
    const stats = await decodeStreamInWorker(Readable.from(chunks), { source: 'big', defaultTenant: 'dflt' }, sink);
    expect(stats.records).toBe(10_000);
    expect(records[9_999]).toBe('auth0|9999');
    // A window of chunks in flight, the one past it that pauses the input, those queued for the inflater (at most
    // MAX_PENDING_WRITES) and the few it has just finished with (they go back with the next message).
    const window = INPUT_WINDOW_BYTES / chunkBytes;
    expect(inputBuffersMade()).toBeLessThanOrEqual(window + 1 + MAX_PENDING_WRITES + 4);
    expect(chunks.length).toBeGreaterThan(3 * window);
  });
});
