import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { type DecodeStats, decodeStream } from '../../../src/decode/decodeStream';
import { availableParallelism } from 'node:os';
import { closeDecodeWorkers, decodeStreamInWorker, decodeThreadCount, setDecodeThreadLimit } from '../../../src/decode/decodeWorkerPool';
import type { DecodeSink, LogRecord, QuarantineItem, QuarantineKind } from '../../../src/decode/logRecord';
import { hashLogIdInto } from '../../../src/decode/logIdHash';
import { generateArchiveText, generateFirehoseText, gzipArchive, mutate, randomChunks, seededRandom } from './archiveGenerator';

const OPTIONS = { source: 'pool', defaultTenant: 'dflt' };
const FIXTURES = join(__dirname, '../../../fixtures/formats');

interface Outcome {
  events: Array<['record', LogRecord] | ['quarantine', QuarantineKind, QuarantineItem]>;
  stats: DecodeStats;
}

type Decoder = (input: Readable, options: typeof OPTIONS, sink: DecodeSink) => Promise<DecodeStats>;

/**
 * The record's fields as plain data; a log_id hash the decoder sent must be hashLogIdInto(logId), which the state's
 * id files hold, so it is checked here and left out of the comparison.
 */
function plain(record: LogRecord, wrongHashes: string[]): LogRecord {
  if (record.logIdHi !== undefined) {
    const expected = new Uint32Array(2);
    hashLogIdInto(record.logId!, expected);
    if (record.logIdHi !== expected[0] || record.logIdLo !== expected[1]) wrongHashes.push(record.logId!);
  }
  const { logId, dateMs, type, tenant, hostname, clientId, clientName, audience, userId } = record;
  return { logId, dateMs, type, tenant, hostname, clientId, clientName, audience, userId };
}

async function run(decode: Decoder, chunks: Buffer[]): Promise<Outcome> {
  const events: Outcome['events'] = [];
  const wrongHashes: string[] = [];
  const stats = await decode(Readable.from(chunks), OPTIONS, {
    record: (record) => events.push(['record', plain(record, wrongHashes)]),
    quarantine: (kind, item) => events.push(['quarantine', kind, item]),
  });
  expect(wrongHashes).toEqual([]);
  return { events, stats };
}

afterAll(() => closeDecodeWorkers());

describe('decodeStreamInWorker', () => {
  it('reports data hidden behind zero bytes after a gzip member as one malformed item, as decodeStream does', async () => {
    const line = (n: number): string => `{"log_id":"${n}","type":"s","date":"2024-05-0${n}T00:00:00Z"}\n`;
    const bytes = Buffer.concat([gzipSync(line(1) + line(2)), Buffer.alloc(2048), gzipSync(line(3))]);
    const outcome = await run(decodeStreamInWorker, randomChunks(seededRandom(9), bytes, false));
    expect(outcome.stats).toEqual({ values: 2, records: 2, malformed: 1, rejected: 0 });
    expect(outcome.events.filter((e) => e[0] === 'quarantine')).toEqual([
      ['quarantine', 'malformed', { source: 'pool', line: 3, reason: 'malformed: gzip: data after the end of the gzip stream', raw: '' }],
    ]);
  });

  it('gives what decodeStream gives, in the same order, on every fixture and on generated archives', async () => {
    const inputs: Buffer[] = readdirSync(FIXTURES).filter((f) => f !== 'README.md').map((f) => readFileSync(join(FIXTURES, f)));
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = seededRandom(500 + seed);
      let text = seed % 2 === 0 ? generateArchiveText(rnd, 20) : generateFirehoseText(rnd, 20);
      if (rnd() < 0.5) text = mutate(rnd, text, 2);
      inputs.push(rnd() < 0.5 ? gzipArchive(rnd, Buffer.from(text), rnd() < 0.2) : Buffer.from(text));
    }
    let records = 0;
    for (const [i, bytes] of inputs.entries()) {
      const chunks = randomChunks(seededRandom(i), bytes, false);
      const expected = await run(decodeStream, chunks);
      expect(await run(decodeStreamInWorker, chunks)).toEqual(expected);
      records += expected.stats.records;
    }
    expect(records).toBeGreaterThan(300);
  });

  it('gives every record its own strings when the string cache reuses its slots mid-batch', async () => {
    // 60 000 distinct user ids and client names: more than the string cache holds, so slots are reused mid-batch.
    const lines = Array.from({ length: 60_000 }, (_, i) =>
      JSON.stringify({ log_id: String(i).padStart(56, '9'), type: i % 7 === 0 ? 'seccft' : 's', date: new Date(1.7e12 + i * 1000).toISOString(), user_id: `auth0|${i}`, client_name: `App ${i % 40_000}`, hostname: `t${i % 3}.eu.auth0.com` }),
    );
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const chunks = [bytes.subarray(0, 1_000_000), bytes.subarray(1_000_000)];
    const expected = await run(decodeStream, chunks);
    expect(expected.stats.records).toBe(60_000);
    // Compared as text: a deep comparison of 60 000 records costs seconds; the text of the two is equal or not.
    expect(JSON.stringify(await run(decodeStreamInWorker, chunks))).toBe(JSON.stringify(expected));
  });

  it('decodes several objects at once, each as on its own', async () => {
    const inputs = Array.from({ length: 6 }, (_, i) => gzipArchive(seededRandom(900 + i), Buffer.from(generateArchiveText(seededRandom(i), 60)), false));
    const expected = await Promise.all(inputs.map((bytes) => run(decodeStream, [bytes])));
    expect(await Promise.all(inputs.map((bytes) => run(decodeStreamInWorker, [bytes])))).toEqual(expected);
  });

  it('reads small objects one after another and side by side on one thread, each as on its own, past a failed one', async () => {
    // The thread keeps its string cache and batch buffers from object to object: the values repeat across these
    // objects (the generator's few tenants and clients), so anything left from one object would show in the next.
    await closeDecodeWorkers();
    const previous = setDecodeThreadLimit(1);
    try {
      for (let wave = 0; wave < 4; wave++) {
        const inputs = Array.from({ length: 4 }, (_, i) => Buffer.from(generateArchiveText(seededRandom(40 * wave + i), 8)));
        const expected = await Promise.all(inputs.map((bytes) => run(decodeStream, [bytes])));
        const failing = decodeStreamInWorker(Readable.from([inputs[0]!]), OPTIONS, { record: () => { throw new Error('sink failed'); }, quarantine: () => undefined });
        const outcomes = Promise.all(inputs.map((bytes) => run(decodeStreamInWorker, [bytes])));
        await expect(failing).rejects.toThrow('sink failed');
        expect(await outcomes).toEqual(expected);
      }
      expect(decodeThreadCount()).toBe(1);
    } finally {
      setDecodeThreadLimit(previous);
    }
  });

  it('a record too long for the fast path leaves no trace in the string cache: the records after it keep their strings', async () => {
    // Past the fast path's item limit (30,000 bytes by default) a record is read the general way. The fast path
    // must not have filled cache slots for it first: the main thread never gets those fills, and the next record
    // naming the same slots would read whatever text they held there.
    const record = (i: number, body = '') =>
      JSON.stringify({
        log_id: `900202505080839108629780000000000000000000000000000${String(i).padStart(5, '0')}`, type: 'sapi', date: new Date(1.7e12 + i * 1000).toISOString(),
        hostname: 'acme-prod.eu.auth0.com', client_id: 'AbC123clientXYZ', client_name: 'Deploy CLI', user_id: 'auth0|deployer',
        details: { request: { body } },
      });
    const lines = [record(0, 'x'.repeat(31_000)), ...Array.from({ length: 5 }, (_, i) => record(i + 1)), record(9)];
    const chunks = [Buffer.from(`${lines.join('\n')}\n`)];
    const expected = await run(decodeStream, chunks);
    expect(expected.stats.records).toBe(7);
    for (const [, r] of expected.events as Array<['record', LogRecord]>) {
      expect([r.type, r.tenant, r.clientId, r.clientName, r.userId]).toEqual(['sapi', 'acme-prod', 'AbC123clientXYZ', 'Deploy CLI', 'auth0|deployer']);
    }
    expect(await run(decodeStreamInWorker, chunks)).toEqual(expected);
  });

  it("rejects with the sink's error and stays usable", async () => {
    const failure = new Error('disk full');
    const bytes = Buffer.from(generateFirehoseText(seededRandom(3), 50));
    await expect(decodeStreamInWorker(Readable.from([bytes]), OPTIONS, { record: () => { throw failure; }, quarantine: () => undefined })).rejects.toBe(failure);
    expect(await run(decodeStreamInWorker, [bytes])).toEqual(await run(decodeStream, [bytes]));
  });

  it("rejects with the input's own error, and when the input closes early", async () => {
    const failure = new Error('socket reset');
    let sent = false;
    const failing = new Readable({
      read() {
        if (sent) return this.destroy(failure);
        sent = true;
        this.push(Buffer.from(generateArchiveText(seededRandom(4), 5)));
      },
    });
    await expect(decodeStreamInWorker(failing, OPTIONS, { record: () => undefined, quarantine: () => undefined })).rejects.toBe(failure);
    const closing = new Readable({
      read() {
        this.push('{"a":');
        this.destroy();
      },
    });
    await expect(decodeStreamInWorker(closing, OPTIONS, { record: () => undefined, quarantine: () => undefined })).rejects.toThrow('input stream closed before its end');
  });

  it('sends every log_id with its hash, whatever its length or bytes, and no hash for a record without one', async () => {
    const ids = ['9'.repeat(56), '12', '9'.repeat(80), 'ünïcode-id', '€'.repeat(3)];
    const line = (id: string | undefined, i: number, escaped = false) =>
      JSON.stringify({ ...(id === undefined ? {} : { log_id: id }), type: 's', date: new Date(1.7e12 + i * 1000).toISOString(), user_id: `u${i}` })
        // An escaped character makes the fast path hand the id over as text rather than bytes.
        .replace(escaped ? '"log_id":"9' : '\u0000', escaped ? '"log_id":"\\u0039' : '');
    const lines = [...ids.map((id, i) => line(id, i)), line('9'.repeat(56), 10, true), line(undefined, 11)];
    const records: LogRecord[] = [];
    await decodeStreamInWorker(Readable.from([Buffer.from(lines.join('\n') + '\n')]), OPTIONS, { record: (r) => records.push(r), quarantine: () => undefined });
    expect(records.map((r) => r.logId)).toEqual([...ids, '9'.repeat(56), null]);
    const out = new Uint32Array(2);
    for (const record of records.slice(0, -1)) {
      hashLogIdInto(record.logId!, out);
      expect([record.logIdHi, record.logIdLo]).toEqual([out[0], out[1]]);
    }
    expect([records.at(-1)!.logIdHi, records.at(-1)!.logIdLo]).toEqual([undefined, undefined]);
  });

  it('ends a busy thread by asking it to exit between messages (code 0), not by terminating it wherever it is (code 1)', async () => {
    await closeDecodeWorkers();
    // A gzip member per line: the thread makes a raw inflater for each, so it is inside zlib's code often. A thread
    // terminated there, between an inflater's native handle and its init, aborts the process as Node tears it down.
    // Closed once the first batch of records (2,048) has come.
    const members = Array.from({ length: 5000 }, (_, i) => gzipSync(`{"log_id":"${i}","type":"s","date":"2024-05-01T00:00:00Z"}\n`));
    const input = new Readable({ read() {} });
    let records = 0;
    let busy: () => void = () => undefined;
    const decoding = decodeStreamInWorker(input, OPTIONS, {
      record: () => {
        if (++records === 1) busy();
      },
      quarantine: () => undefined,
    });
    const failed = decoding.then(
      () => 'decoded whole',
      (err: Error) => err.message,
    );
    await new Promise<void>((resolve) => {
      busy = resolve;
      for (const member of members) input.push(member); // never ended: the object is mid-way when the thread closes
    });
    expect(await closeDecodeWorkers()).toEqual([0]);
    expect(await failed).toBe('decode workers closed');
    expect(decodeThreadCount()).toBe(0);
  });

  it('starts a thread only when every running one is busy, up to one per core', async () => {
    await closeDecodeWorkers();
    expect(decodeThreadCount()).toBe(0);
    const bytes = Buffer.from(generateArchiveText(seededRandom(5), 30));
    // One object after another: the first thread is idle again each time, so it is the only one.
    for (let i = 0; i < 3; i++) await run(decodeStreamInWorker, [bytes]);
    expect(decodeThreadCount()).toBe(1);
    // Six inputs held open at once: each finds every running thread busy until the limit is reached.
    const gates = Array.from({ length: 6 }, () => new Readable({ read() {} }));
    const decodes = gates.map((gate) => decodeStreamInWorker(gate, OPTIONS, { record: () => undefined, quarantine: () => undefined }));
    expect(decodeThreadCount()).toBe(Math.min(availableParallelism(), 6));
    for (const gate of gates) gate.push(null);
    await Promise.all(decodes);
  });
});
