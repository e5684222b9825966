import { decodeItem } from '../../../src/decode/decodeStream';
import { FastRecordReader } from '../../../src/decode/fastRecord';
import type { LogRecord } from '../../../src/decode/logRecord';
import { isRejection } from '../../../src/decode/normalize';
import { BATCH_RECORDS, type RecordBatchMessage, RecordBatchReader, RecordBatchWriter } from '../../../src/decode/recordBatch';
import { seededRandom } from './archiveGenerator';

const plain = (r: LogRecord) => ({
  logId: r.logId, dateMs: r.dateMs, type: r.type, tenant: r.tenant, hostname: r.hostname, clientId: r.clientId, clientName: r.clientName, audience: r.audience, userId: r.userId,
});

/** Items with values of every kind a batch carries: many distinct users (more than the cache's slots, so slots are
 *  refilled), repeated clients and hosts, spans longer than a slot takes, escapes, non-ASCII text, no log_id. */
function items(count: number): string[] {
  const rnd = seededRandom(17);
  const int = (n: number) => Math.floor(rnd() * n);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const r: Record<string, unknown> = { date: new Date(Date.UTC(2024, 0, 1) + int(86_400_000)).toISOString(), type: ['s', 'seccft', 'slo'][int(3)] };
    if (rnd() < 0.9) r.log_id = `900${String(i).padStart(53, '0')}`;
    if (rnd() < 0.8) r.user_id = `auth0|${int(60_000).toString(16)}`;
    if (rnd() < 0.7) r.client_id = `client-${int(30)}`;
    const name = rnd();
    if (name < 0.5) r.client_name = ['Zoë', 'App "quoted"', 'App 🙂', 'x'.repeat(90)][int(4)];
    if (rnd() < 0.5) r.hostname = `tenant${int(3)}.eu.auth0.com`;
    else if (rnd() < 0.5) r.tenant_name = `t\u00e9nant${int(2)}`;
    if (rnd() < 0.3) r.audience = `https://api-${int(10)}.example/${'p'.repeat(int(80))}`;
    let text = JSON.stringify(r);
    if (rnd() < 0.05) text = text.replace('"type":"', '"type":"\\u0073'); // an escaped value: sent as text
    out.push(text);
  }
  return out;
}

describe('RecordBatchWriter → RecordBatchReader', () => {
  it('delivers the records decodeItem gives, over batches that refill slots', () => {
    const texts = items(3 * BATCH_RECORDS + 100);
    const writer = new RecordBatchWriter();
    const batchReader = new RecordBatchReader();
    const reader = new FastRecordReader('dflt');
    const received: LogRecord[] = [];
    const expected: LogRecord[] = [];
    const deliver = () => batchReader.read(writer.take(1), (r) => received.push(r));
    let fast = 0;
    for (const [i, text] of texts.entries()) {
      const record = decodeItem(JSON.parse(text), 'dflt');
      if (isRejection(record)) throw new Error(`item ${i} is rejected: ${record.reason}`);
      expected.push(record);
      const buf = Buffer.from(`${text}\n`);
      let full: boolean;
      if (reader.read(buf, 0, buf.length - 1) === buf.length - 1) {
        fast++;
        full = writer.addFast(reader, buf);
      } else {
        full = writer.add(record);
      }
      if (full) deliver();
    }
    deliver();
    expect(fast).toBeGreaterThan(texts.length * 0.9);
    expect(received.map(plain)).toEqual(expected.map(plain));
  });

  it('sends the string fields of records read from bytes as bytes, and makes no string of them in the writer', () => {
    const texts = items(500).filter((text) => !text.includes('\\'));
    const bufs = texts.map((text) => Buffer.from(`${text}\n`));
    const writer = new RecordBatchWriter();
    const reader = new FastRecordReader('dflt');
    const toString = jest.spyOn(Buffer.prototype, 'toString');
    const utf8Slice = jest.spyOn(Buffer.prototype as unknown as { utf8Slice(start: number, end: number): string }, 'utf8Slice');
    let message: RecordBatchMessage;
    try {
      for (const buf of bufs) {
        expect(reader.read(buf, 0, buf.length - 1)).toBe(buf.length - 1);
        writer.addFast(reader, buf);
      }
      message = writer.take(1);
      expect(toString).not.toHaveBeenCalled();
      expect(utf8Slice).not.toHaveBeenCalled();
    } finally {
      toString.mockRestore();
      utf8Slice.mockRestore();
    }
    // Texts are only what is not in the bytes: the default tenant, for records with no tenant_name or hostname.
    const untenanted = texts.filter((text) => !text.includes('"hostname"') && !text.includes('"tenant_name"'));
    expect(untenanted.length).toBeGreaterThan(0);
    expect(message.texts).toEqual(untenanted.map(() => 'dflt'));
    // Every user id is distinct within 500 records of 60 000 possible ones, or nearly: each went as bytes once.
    const users = new Set(texts.map((text) => (JSON.parse(text) as { user_id?: string }).user_id).filter((u) => u !== undefined));
    expect(message.spanLengths.length).toBeGreaterThanOrEqual(users.size);
    const received: LogRecord[] = [];
    new RecordBatchReader().read(message, (r) => received.push(r));
    expect(received.map((r) => r.userId)).toEqual(texts.map((text) => (JSON.parse(text) as { user_id?: string }).user_id ?? ''));
  });
});
