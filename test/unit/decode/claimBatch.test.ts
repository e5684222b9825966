import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ClaimBatchWriter, ClaimRecord } from '../../../src/decode/claimBatch';
import { decodeObject, decodeStream } from '../../../src/decode/decodeStream';
import { hashLogIdInto } from '../../../src/decode/logIdHash';
import type { LogRecord } from '../../../src/decode/logRecord';
import { generateArchiveText, seededRandom } from './archiveGenerator';

const OPTIONS = { source: 'claims', defaultTenant: 'dflt' };
const FIXTURES = join(__dirname, '../../../fixtures/formats');

/** What a claim reads of a record, worked out from the record decodeStream gives (the hash by the string function). */
function claimOf(record: LogRecord): { dateMs: number; tenant: string; hash: [number, number] | null } {
  if (record.logId === null) return { dateMs: record.dateMs, tenant: record.tenant, hash: null };
  const hash = new Uint32Array(2);
  hashLogIdInto(record.logId, hash);
  return { dateMs: record.dateMs, tenant: record.tenant, hash: [hash[0]!, hash[1]!] };
}

/** The claims a decode thread would send for `bytes`, as the main thread reads them back, and the records it keeps. */
async function claimsOf(bytes: Buffer): Promise<{ claims: ReturnType<typeof claimOf>[]; kept: LogRecord[] }> {
  const writer = new ClaimBatchWriter();
  const claims: ReturnType<typeof claimOf>[] = [];
  const kept: LogRecord[] = [];
  const take = () => {
    const { message, records } = writer.take(7);
    expect(message).toMatchObject({ type: 'claims', object: 7 });
    kept.push(...records);
    ClaimRecord.readEach(message, (record) => {
      claims.push({ dateMs: record.dateMs, tenant: record.tenant, hash: record.logIdHi === undefined ? null : [record.logIdHi, record.logIdLo!] });
      expect(record.logIdHi === undefined ? record.logId : 'has one').not.toBeUndefined();
      return true;
    });
  };
  await decodeObject(Readable.from([bytes]), OPTIONS, {
    fastRecord: (reader, buf) => writer.addFast(reader, buf) && take(),
    record: (record) => writer.add(record) && take(),
    quarantine: () => undefined,
  });
  if (writer.size > 0) take();
  return { claims, kept };
}

test('claims carry each record’s date, tenant and log_id hash, on every fixture and across full batches', async () => {
  const inputs = readdirSync(FIXTURES).filter((f) => f !== 'README.md').map((f) => readFileSync(join(FIXTURES, f)));
  // 8 000 items, about 5 000 of them records (the rest garbage and rejects): full batches of 2 048 and a part, the
  // tenants changing within a batch.
  inputs.push(Buffer.from(generateArchiveText(seededRandom(3), 8000)));
  // A log_id with bytes ≥ 0x80 is hashed as its text (UTF-16 units), as the main thread would.
  inputs.push(Buffer.from('{"log_id":"id-é-☃","type":"s","date":"2024-01-01T00:00:00Z","tenant_name":"t1"}\n{"type":"s","date":"2024-01-01T00:00:01Z","tenant_name":"t2"}\n'));
  let records = 0;
  for (const bytes of inputs) {
    const expected: LogRecord[] = [];
    await decodeStream(Readable.from([bytes]), OPTIONS, { record: (r) => expected.push(r), quarantine: () => undefined });
    const { claims, kept } = await claimsOf(bytes);
    expect(claims).toEqual(expected.map(claimOf));
    // The records kept for the figures are decodeStream's; their log_id is not read there (the fast path leaves it out).
    const withoutId = (r: LogRecord) => ({ ...r, logId: undefined });
    expect(kept.map(withoutId)).toEqual(expected.map(withoutId));
    records += expected.length;
  }
  expect(records).toBeGreaterThan(5100);
});

test('a claim record without a log_id says so; one with a hash does not pretend to know the text', () => {
  const record = new ClaimRecord();
  expect(record.logId).toBeNull();
  record.logIdHi = 1;
  record.logIdLo = 2;
  expect(() => record.logId).toThrow('a log_id was asked for whose decode thread sent only its hash');
});
