import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { decodeStream } from '../../../src/decode/decodeStream';
import type { LogRecord } from '../../../src/decode/logRecord';
import { type Random, generateArchiveText, generateFirehoseText, gzipArchive, mutate, randomChunks, seededRandom } from './archiveGenerator';
import { type ReferenceResult, referenceDecode } from './referenceDecoder';

const OPTIONS = { source: 'compare', defaultTenant: 'dflt' };
const FIXTURES = join(__dirname, '../../../fixtures/formats');

async function fastDecode(chunks: Buffer[]): Promise<ReferenceResult> {
  const result: ReferenceResult = { records: [], quarantine: [], stats: { values: 0, records: 0, malformed: 0, rejected: 0 } };
  result.stats = await decodeStream(Readable.from(chunks), OPTIONS, {
    record: (record) => result.records.push(record),
    quarantine: (kind, item) => result.quarantine.push({ kind, item }),
  });
  return result;
}

/** decodeStream must give the reference's result for the whole input, random chunks and (when asked) mostly-1-byte
 *  chunks. */
async function expectSameAsReference(bytes: Buffer, rnd: Random, tinyChunks: boolean): Promise<ReferenceResult> {
  const expected = referenceDecode(bytes, OPTIONS);
  const expectedText = JSON.stringify(expected);
  // Equal texts are equal values; only when the texts differ (key order, or a real difference) is the slower deep
  // comparison needed, which also shows the difference.
  const expectSame = (actual: ReferenceResult) => {
    if (JSON.stringify(actual) !== expectedText) expect(actual).toEqual(expected);
  };
  expectSame(await fastDecode([bytes]));
  if (tinyChunks) expectSame(await fastDecode(randomChunks(rnd, bytes, true)));
  expectSame(await fastDecode(randomChunks(rnd, bytes, false)));
  return expected;
}

const id = (n: number): string => String(n).padStart(56, '9');
const record = (n: number, extra = ''): string => `{"log_id":"${id(n)}","type":"s","date":"2024-01-01T00:00:0${n}Z"${extra}}`;
const recordOf = (n: number): LogRecord => ({
  logId: id(n), dateMs: Date.UTC(2024, 0, 1, 0, 0, n), type: 's', tenant: 'dflt', hostname: '', clientId: '', clientName: '', audience: '', userId: '',
});

describe('referenceDecoder (the oracle) on hand-worked inputs', () => {
  it('reads a truncated line as one malformed item and keeps the next record', () => {
    expect(referenceDecode(Buffer.from(`{"log_id":"1","type":"s"\n${record(2)}\n`), OPTIONS)).toEqual({
      records: [recordOf(2)],
      quarantine: [{ kind: 'malformed', item: { source: 'compare', line: 1, reason: "malformed: expected ',' or '}', found '{' at line 2", raw: '{"log_id":"1","type":"s"' } }],
      stats: { values: 1, records: 1, malformed: 1, rejected: 0 },
    });
  });

  it('resumes at the next `}{` boundary after an error in back-to-back records', () => {
    expect(referenceDecode(Buffer.from(`${record(1)}{"log_id":"x","type":"s","date":nope}${record(3)}`), OPTIONS)).toEqual({
      records: [recordOf(1), recordOf(3)],
      quarantine: [{ kind: 'malformed', item: { source: 'compare', line: 1, reason: "malformed: invalid literal, found 'o' at line 1", raw: '{"log_id":"x","type":"s","date":nope}' } }],
      stats: { values: 2, records: 2, malformed: 1, rejected: 0 },
    });
  });

  it('stays in a multi-line array after a bad element', () => {
    expect(referenceDecode(Buffer.from(`[\n ${record(1)},\n {"x":},\n ${record(3)}\n]`), OPTIONS)).toEqual({
      records: [recordOf(1), recordOf(3)],
      quarantine: [{ kind: 'malformed', item: { source: 'compare', line: 3, reason: "malformed: expected a value, found '}' at line 3", raw: '{"x":},' } }],
      stats: { values: 2, records: 2, malformed: 1, rejected: 0 },
    });
  });
});

describe('decodeStream agrees with referenceDecoder', () => {
  it.each(readdirSync(FIXTURES).filter((f) => f !== 'README.md'))('on fixture %s, however it is chunked', async (file) => {
    const expected = await expectSameAsReference(readFileSync(join(FIXTURES, file)), seededRandom(file.length), true);
    expect(expected.stats.values + expected.stats.malformed).toBeGreaterThan(0);
  });

  it('on 500 generated archives (every layout and envelope, garbage, mutations, gzip members, cut gzip)', async () => {
    const totals = { records: 0, malformed: 0, rejected: 0, gzipCuts: 0 };
    for (let seed = 1; seed <= 500; seed++) {
      const rnd = seededRandom(seed);
      let text = generateArchiveText(rnd, 1 + Math.floor(rnd() * 12));
      if (rnd() < 0.4) text = mutate(rnd, text, 1 + Math.floor(rnd() * 4));
      let bytes: Buffer = Buffer.from(text);
      if (rnd() < 0.3) bytes = gzipArchive(rnd, bytes, rnd() < 0.5);
      // Mostly-1-byte chunks for a third of the archives: they took two thirds of this test's time, and every
      // archive is still read in random chunks.
      const expected = await expectSameAsReference(bytes, rnd, seed % 3 === 0);
      totals.records += expected.stats.records;
      totals.malformed += expected.stats.malformed;
      totals.rejected += expected.stats.rejected;
      totals.gzipCuts += expected.quarantine.filter((q) => q.item.reason.startsWith('malformed: gzip:')).length;
    }
    // The generated mix must exercise every outcome, or the agreement above proves little.
    expect(totals.records).toBeGreaterThan(500);
    expect(totals.malformed).toBeGreaterThan(300);
    expect(totals.rejected).toBeGreaterThan(300);
    expect(totals.gzipCuts).toBeGreaterThan(20);
  });

  it('on 200 generated Firehose streams (back to back, no line breaks), damaged, plain or gzipped', async () => {
    let malformed = 0;
    let records = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = seededRandom(10_000 + seed);
      let text = generateFirehoseText(rnd, 2 + Math.floor(rnd() * 10));
      if (rnd() < 0.7) text = mutate(rnd, text, 1 + Math.floor(rnd() * 3));
      let bytes: Buffer = Buffer.from(text);
      if (rnd() < 0.3) bytes = gzipArchive(rnd, bytes, rnd() < 0.3);
      const expected = await expectSameAsReference(bytes, rnd, seed % 3 === 0);
      malformed += expected.stats.malformed;
      records += expected.stats.records;
    }
    expect(malformed).toBeGreaterThan(100);
    expect(records).toBeGreaterThan(800);
  });

  it('on spans longer than the 64 KiB quarantine limit, in every recovery path', async () => {
    const wide = 'é🙂x'.repeat(30000); // 90 000 UTF-16 units, 210 000 bytes
    const elements = Array.from({ length: 40 }, (_, i) => record(1, `,"n":"${wide.slice(0, 3000)}${i}"`));
    const cases = [
      `${record(1, `,"n":"${wide}"`)}\n${record(2)}`,
      `{"type":"s","n":"${wide}"}\n${record(2)}`,
      `${record(1, `,"n":"${wide}"`).slice(0, 50000)}\n${record(2)}\n`,
      record(1, `,"n":"${wide}"`).slice(0, 50000),
      `x${wide}\n${record(2)}`,
      `[\n${elements.join(',\n')}\n${record(3)}\n]\n`,
      `[${elements.join(',')}`,
      `[${elements.join(',')} x]\n${record(3)}`,
      `{\n"a": "${wide}",\n"b": tru\n}\n${record(3)}`,
    ];
    let cutItems = 0;
    for (const [i, text] of cases.entries()) {
      const expected = await expectSameAsReference(Buffer.from(text), seededRandom(i), false);
      cutItems += expected.quarantine.filter((q) => q.item.raw.length === 65536).length;
    }
    expect(cutItems).toBeGreaterThanOrEqual(6);
  });
});
