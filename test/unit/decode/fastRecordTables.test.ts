import { FIELD_EMPTY, FIELD_TEXT, FastRecordReader } from '../../../src/decode/fastRecord';
import { FastRecordTables } from '../../../src/decode/fastRecordTables';
import { stringBitmapBuffer } from '../../../src/decode/jsonBytes';
import type { LogRecord } from '../../../src/decode/logRecord';
import { LogIdNotSentError } from '../../../src/decode/recordFields';
import { RecordBatchReader, RecordBatchWriter } from '../../../src/decode/recordBatch';
import { SlotStrings } from '../../../src/decode/slotStrings';
import { NOT_CACHED, definedSlot } from '../../../src/decode/spanCache';

const LINE = Buffer.from(
  `${JSON.stringify({ log_id: '9'.repeat(56), type: 'seccft', date: '2024-03-01T10:00:00.000Z', hostname: 'acme.eu.auth0.com', client_id: 'c1', client_name: 'Billing', audience: 'https://api/' })}\n`,
);
const RECORD: LogRecord = {
  logId: '9'.repeat(56), dateMs: Date.UTC(2024, 2, 1, 10), type: 'seccft', tenant: 'acme', hostname: 'acme.eu.auth0.com',
  clientId: 'c1', clientName: 'Billing', audience: 'https://api/', userId: '',
};

/** The reader's refs after reading LINE: what a worker's batch would say of each string field. */
function refsOf(reader: FastRecordReader): number[] {
  expect(reader.read(LINE, 0, LINE.length - 1)).toBe(LINE.length - 1);
  return Array.from(reader.refs);
}

/** A ref that fills a slot (its bytes go along), as opposed to one that names a slot already filled. */
const fills = (ref: number): boolean => ref < 0 && ref !== FIELD_EMPTY && ref !== FIELD_TEXT && ref !== NOT_CACHED;

describe('FastRecordTables', () => {
  it('hands back the tables given, with every slot empty and the fill counts going on', () => {
    const tables = FastRecordTables.take();
    const span = Buffer.from('tenant1');
    const slot = definedSlot(tables.spans.lookUp(span, 0, span.length));
    expect(tables.spans.lookUp(span, 0, span.length)).toBe(slot); // a hit
    tables.give();
    const again = FastRecordTables.take();
    expect(again).toBe(tables);
    // Empty again: the same bytes fill the slot anew, its second fill.
    expect(again.spans.lookUp(span, 0, span.length)).toBe(-slot - 2);
    expect(again.spans.fills[slot]).toBe(2);
    again.give();
  });

  it("a reader after a released one fills each slot on a value's first use, as a new main-thread reader needs", () => {
    const first = new FastRecordReader('dflt');
    const firstRefs = refsOf(first);
    // type, tenant, hostname, client id, client name and audience fill slots; the user id is empty.
    expect(firstRefs.filter(fills)).toHaveLength(6);
    expect(refsOf(first).filter((ref) => ref >= 0)).toHaveLength(6); // the same record again: all hits
    first.release();
    expect(() => first.read(LINE, 0, LINE.length - 1)).toThrow('after release()');

    const next = new FastRecordReader('dflt');
    expect(refsOf(next)).toEqual(firstRefs);
    expect(next.toLogRecord(LINE)).toEqual(RECORD);
    // The string bitmap marked the buffer read; released, the reader lets go of it (a chunk of up to 1 MiB).
    expect(stringBitmapBuffer()).toBe(LINE);
    next.release();
    expect(stringBitmapBuffer()).toBeNull();
  });
});

describe('RecordBatchWriter and RecordBatchReader kept for the next object', () => {
  it("a writer given back mid-batch starts the next object's batch empty, with that object's log_id setting", () => {
    const writer = RecordBatchWriter.take(true);
    writer.add({ ...RECORD, logId: '1'.repeat(56), clientId: 'left-behind' });
    writer.add({ ...RECORD, logId: '2'.repeat(56), clientId: 'left-behind' });
    writer.give(); // an object that failed with two records not yet sent

    const next = RecordBatchWriter.take(false);
    expect(next).toBe(writer);
    expect(next.size).toBe(0);
    const fast = new FastRecordReader('dflt');
    expect(fast.read(LINE, 0, LINE.length - 1)).toBe(LINE.length - 1);
    next.addFast(fast, LINE);
    fast.release();
    const message = next.take(7);
    const records: LogRecord[] = [];
    const reader = new RecordBatchReader();
    reader.read(message, (record) => records.push(record));
    expect(records).toHaveLength(1);
    expect(records[0]!.clientId).toBe('c1');
    // Sent as its hash only, as the second object asked: the first object's setting did not stay.
    expect(() => records[0]!.logId).toThrow(LogIdNotSentError);
    reader.release();
    next.give();
  });

  it('a reader gives its slot texts back once, and reads nothing after', () => {
    const reader = new RecordBatchReader();
    reader.release();
    reader.release();
    const taken = [SlotStrings.take(), SlotStrings.take()];
    expect(taken[0]).not.toBe(taken[1]); // given back once, so handed out once
    const writer = RecordBatchWriter.take();
    writer.add(RECORD);
    expect(() => reader.read(writer.take(1), () => undefined)).toThrow('after release()');
  });
});
