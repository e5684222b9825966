import { Readable } from 'node:stream';
import { type DecodeStats, decodeStream } from '../../../src/decode/decodeStream';
import { closeDecodeWorkers, decodeStreamInWorker } from '../../../src/decode/decodeWorkerPool';
import { JsonValueScanner } from '../../../src/decode/jsonValueScanner';
import type { DecodeSink, QuarantineItem, QuarantineKind } from '../../../src/decode/logRecord';

// A file of millions of one-character lines is millions of malformed items: each must cost a bounded amount of
// work, whatever the chunk size, and the text of items nobody keeps must not be made at all.

afterAll(() => closeDecodeWorkers());

const OPEN_BRACE = 0x7b;

/** Bytes that Buffer#indexOf looks at while `work` runs, when it searches for '{'. */
function braceSearchBytes(work: () => void): number {
  const original = Buffer.prototype.indexOf;
  let examined = 0;
  const counting = function (this: Buffer, value: string | number | Uint8Array, byteOffset?: number | BufferEncoding, encoding?: BufferEncoding): number {
    const found = original.call(this, value, byteOffset as number, encoding);
    if (value === OPEN_BRACE) {
      const from = typeof byteOffset === 'number' ? byteOffset : 0;
      examined += (found === -1 ? this.length : found + 1) - from;
    }
    return found;
  };
  Buffer.prototype.indexOf = counting as typeof original;
  try {
    work();
  } finally {
    Buffer.prototype.indexOf = original;
  }
  return examined;
}

describe('junk lines', () => {
  it('looks for the next `}{` in each byte of a chunk of bad lines at most once', () => {
    // 50 000 bad lines in one chunk, one brace at its end: a search per line to the end of the chunk would look at
    // about 50 000 × 50 000 bytes; one pass looks at each of its 100 008 bytes once.
    const chunk = Buffer.from(`${'x\n'.repeat(50_000)}}{"a":1}\n`);
    let malformed = 0;
    const examined = braceSearchBytes(() => {
      const scanner = new JsonValueScanner({ value: () => undefined, malformed: () => malformed++ });
      scanner.push(chunk);
      scanner.end();
    });
    expect(malformed).toBe(50_001); // every 'x' line, and the lone '}' before the '{'
    expect(examined).toBeLessThanOrEqual(chunk.length);
  });

  it('gives the scanner no text for bad spans once dropMalformedText is called', () => {
    const raws: string[] = [];
    const scanner = new JsonValueScanner({ value: () => undefined, malformed: (_line, _message, raw) => raws.push(raw) });
    scanner.push(Buffer.from('bad one\n'));
    scanner.dropMalformedText();
    scanner.push(Buffer.from('bad two\n[1,\n'));
    scanner.end();
    expect(raws).toEqual(['bad one', '', '']);
  });

  const junk = (): Buffer => {
    // Lines 1–5 junk, line 6 a record, lines 7–2 506 junk, line 2 507 a rejected item (no date), 2 508 junk.
    const record = JSON.stringify({ log_id: '1'.repeat(56), type: 's', date: '2024-01-01T00:00:00.000Z', hostname: 't.eu.auth0.com' });
    return Buffer.from(`${'x\n'.repeat(5)}${record}\n${'y\n'.repeat(2500)}{"type":"s"}\nz\n`);
  };

  for (const [name, decode] of [['on this thread', decodeStream], ['on a decode worker', decodeStreamInWorker]] as const) {
    it(`delivers only the first quarantineItems items, and counts all of them (${name})`, async () => {
      const received: Array<[QuarantineKind, QuarantineItem]> = [];
      const sink: DecodeSink = { record: () => undefined, quarantine: (kind, item) => received.push([kind, item]) };
      const stats: DecodeStats = await decode(Readable.from([junk()]), { source: 'junk', defaultTenant: 'd', quarantineItems: 7 }, sink);
      expect(stats).toEqual({ values: 2, records: 1, malformed: 2506, rejected: 1 });
      expect(received.map(([kind, item]) => [kind, item.line, item.raw])).toEqual([
        ['malformed', 1, 'x'],
        ['malformed', 2, 'x'],
        ['malformed', 3, 'x'],
        ['malformed', 4, 'x'],
        ['malformed', 5, 'x'],
        ['malformed', 7, 'y'],
        ['malformed', 8, 'y'],
      ]);
      const none: QuarantineItem[] = [];
      const counted = await decode(Readable.from([junk()]), { source: 'junk', defaultTenant: 'd', quarantineItems: 0 }, { record: () => undefined, quarantine: (_kind, item) => none.push(item) });
      expect(counted).toEqual(stats);
      expect(none).toEqual([]);
    });
  }

  it('gives the same items in the same order on a decode worker as on this thread, over many quarantine batches', async () => {
    const run = async (decode: typeof decodeStream): Promise<unknown[]> => {
      const events: unknown[] = [];
      await decode(Readable.from([junk(), junk(), junk()]), { source: 'junk', defaultTenant: 'd' }, {
        // The fields a LogRecord has (a worker's records read them lazily from their batch).
        record: ({ logId, dateMs, type, tenant, hostname, clientId, clientName, audience, userId }) =>
          events.push(['record', { logId, dateMs, type, tenant, hostname, clientId, clientName, audience, userId }]),
        quarantine: (kind, item) => events.push([kind, item]),
      });
      return events;
    };
    const expected = await run(decodeStream);
    expect(expected).toHaveLength(3 * 2508);
    expect(await run(decodeStreamInWorker)).toEqual(expected);
  });
});
