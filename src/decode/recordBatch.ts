import { FIELD_EMPTY, FIELD_TEXT, type FastRecordReader, LOG_ID_BYTES, LOG_ID_NONE, RECORD_STRING_FIELDS } from './fastRecord';
import type { LogRecord } from './logRecord';
import { hashLogIdInto, hashLogIdUtf8Into } from './logIdHash';
import { KeptObjects } from './keptObjects';
import { LogIdNotSentError } from './recordFields';
import { SlotStrings } from './slotStrings';
import { NOT_CACHED, definedSlot } from './spanCache';

/**
 * LogRecords in a compact form for crossing from a decode worker to the main thread (structured clone is costly
 * per string). Times go in a Float64Array, log_ids as their UTF-8 bytes, and each string field as a number: the
 * worker's SpanCache slot holding it, whose text the main thread keeps (SlotStrings). A field's bytes are sent
 * only when they enter a slot (or are not cached), in record order, so the main thread's text of a slot is always
 * that of the bytes the worker's slot held at the time. The worker decodes no string on this path: the main
 * thread decodes each sent span once. Each log_id also goes as its hash, computed from its bytes: the rollup
 * needs only that.
 */
export interface RecordBatchMessage {
  type: 'batch';
  object: number;
  dates: Float64Array;
  /** Per record: the byte length of its log_id in `idBytes` (the ids follow each other), ID_NULL, ID_TEXT or ID_HASH_ONLY. */
  idLengths: Int32Array;
  idBytes: Uint8Array;
  /** The log_ids marked ID_TEXT, in order. */
  idTexts: string[];
  /** Per record: hashLogIdInto(log_id) as [high, low] (0, 0 when it has none). */
  idHashes: Uint32Array;
  /**
   * WIDTH numbers per record: a slot (>= 0); -(slot + 2), a slot filled with the next span of `spanBytes`;
   * NOT_CACHED, the next span, in no slot; FIELD_TEXT, the next of `texts`; or FIELD_EMPTY, "".
   */
  refs: Int32Array;
  /** The spans the refs call for, as UTF-8 bytes one after the other, and their lengths in order. */
  spanBytes: Uint8Array;
  spanLengths: Int32Array;
  /** The texts the refs call for (decoded escapes, records read the general way), in order. */
  texts: string[];
}

const WIDTH = RECORD_STRING_FIELDS.length;
const ID_NULL = -1;
const ID_TEXT = -2;
/** The log_id went as its hash alone (its reader reads no log_id text: RecordFieldsRead.logIdText). */
const ID_HASH_ONLY = -3;
/** Records per batch: enough to make the per-message cost small, few enough to keep both sides busy. */
export const BATCH_RECORDS = 2048;
/** Initial room for a batch's log_ids (Auth0's are 56 bytes); grows when needed. */
const ID_BYTES = BATCH_RECORDS * 64;
/** Initial room for a batch's spans (a user id and some client fields a record, when nothing repeats). */
const SPAN_BYTES = BATCH_RECORDS * 128;

const keptWriters = new KeptObjects<RecordBatchWriter>();

/** Worker side: collects one object's records and turns them into batch messages. */
export class RecordBatchWriter {
  private dates = new Float64Array(BATCH_RECORDS);
  private idLengths = new Int32Array(BATCH_RECORDS);
  private idBytes = Buffer.allocUnsafeSlow(ID_BYTES);
  private idUsed = 0;
  private idTexts: string[] = [];
  private idHashes = new Uint32Array(BATCH_RECORDS * 2);
  private readonly hash = new Uint32Array(2);
  private refs = new Int32Array(BATCH_RECORDS * WIDTH);
  private spanBytes = Buffer.allocUnsafeSlow(SPAN_BYTES);
  private spanUsed = 0;
  private spanLengths = new Int32Array(BATCH_RECORDS * WIDTH);
  private spanCount = 0;
  private texts: string[] = [];
  private count = 0;

  /** `logIdText`: whether the log_ids' text is sent (else only their hashes, see RecordFieldsRead). */
  constructor(private logIdText = true) {}

  /**
   * A writer given back by an earlier object, else a new one. Its arrays (about 0.5 MB) cost a few-KB object more
   * to allocate and collect than its decoding did.
   */
  static take(logIdText = true): RecordBatchWriter {
    const writer = keptWriters.take();
    if (writer === undefined) return new RecordBatchWriter(logIdText);
    writer.logIdText = logIdText;
    return writer;
  }

  /** The object is over: what it did not take is dropped, and the writer is kept for the next object. */
  give(): void {
    this.clear();
    keptWriters.give(this);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the record in `reader`, read from `buf`; returns true when the batch is full and must be taken. */
  addFast(reader: FastRecordReader, buf: Buffer): boolean {
    const at = this.count * WIDTH;
    const { refs: from, spanStarts, spanEnds } = reader;
    for (let k = 0; k < WIDTH; k++) {
      const ref = from[k];
      this.refs[at + k] = ref;
      if (ref === FIELD_TEXT) this.texts.push(reader.texts[k]);
      else if (ref < 0 && ref !== FIELD_EMPTY) this.addSpan(buf, spanStarts[k], spanEnds[k]); // a new slot value, or an uncached one
    }
    if (reader.logIdKind === LOG_ID_BYTES) {
      this.addIdBytes(buf, reader.logIdStart, reader.logIdEnd);
    } else if (reader.logIdKind === LOG_ID_NONE) {
      this.idLengths[this.count] = ID_NULL;
    } else {
      this.addIdText(reader.logIdText);
    }
    this.dates[this.count] = reader.dateMs;
    return ++this.count === BATCH_RECORDS;
  }

  /** Adds a record read the general way (rare): its strings go as text. */
  add(record: LogRecord): boolean {
    const at = this.count * WIDTH;
    for (let k = 0; k < WIDTH; k++) {
      this.refs[at + k] = FIELD_TEXT;
      this.texts.push(record[RECORD_STRING_FIELDS[k]]);
    }
    if (record.logId === null) this.idLengths[this.count] = ID_NULL;
    else this.addIdText(record.logId);
    this.dates[this.count] = record.dateMs;
    return ++this.count === BATCH_RECORDS;
  }

  /** The batch so far as a message, in buffers of its own size (a message copies the whole buffer of a view); a
   *  fresh batch is started. */
  take(object: number): RecordBatchMessage {
    const n = this.count;
    const message: RecordBatchMessage = {
      type: 'batch',
      object,
      dates: this.dates.slice(0, n),
      idLengths: this.idLengths.slice(0, n),
      idBytes: new Uint8Array(this.idBytes.subarray(0, this.idUsed)),
      idTexts: this.idTexts,
      idHashes: this.idHashes.slice(0, n * 2),
      refs: this.refs.slice(0, n * WIDTH),
      spanBytes: new Uint8Array(this.spanBytes.subarray(0, this.spanUsed)),
      spanLengths: this.spanLengths.slice(0, this.spanCount),
      texts: this.texts,
    };
    this.clear();
    return message;
  }

  /** Starts a fresh batch: the arrays stay (take() sent copies), their contents are written over. */
  private clear(): void {
    this.idUsed = 0;
    this.idTexts = [];
    this.spanUsed = 0;
    this.spanCount = 0;
    this.texts = [];
    this.count = 0;
  }

  private addSpan(buf: Buffer, start: number, end: number): void {
    this.spanBytes = appendBytes(this.spanBytes, this.spanUsed, buf, start, end);
    this.spanUsed += end - start;
    this.spanLengths[this.spanCount++] = end - start;
  }

  private addIdBytes(buf: Buffer, start: number, end: number): void {
    if (this.logIdText) {
      this.idBytes = appendBytes(this.idBytes, this.idUsed, buf, start, end);
      this.idUsed += end - start;
      this.idLengths[this.count] = end - start;
    } else {
      this.idLengths[this.count] = ID_HASH_ONLY;
    }
    hashLogIdUtf8Into(buf, start, end, this.hash);
    this.idHashes[this.count * 2] = this.hash[0]!;
    this.idHashes[this.count * 2 + 1] = this.hash[1]!;
  }

  private addIdText(text: string): void {
    this.idLengths[this.count] = ID_TEXT;
    this.idTexts.push(text);
    hashLogIdInto(text, this.hash);
    this.idHashes[this.count * 2] = this.hash[0]!;
    this.idHashes[this.count * 2 + 1] = this.hash[1]!;
  }
}

/**
 * `to` with `buf[start, end)` written at `used`, doubled first when it has no room for it: the buffer to keep.
 * A loop, not Buffer.copy: spans and log_ids are a few dozen bytes, fewer than a call into Buffer.copy is worth.
 */
function appendBytes(to: Buffer<ArrayBuffer>, used: number, buf: Buffer, start: number, end: number): Buffer<ArrayBuffer> {
  let into = to;
  if (used + end - start > into.length) {
    into = Buffer.allocUnsafeSlow(Math.max(to.length * 2, used + end - start));
    to.copy(into, 0, 0, used);
  }
  let at = used;
  for (let i = start; i < end; i++) into[at++] = buf[i];
  return into;
}

/**
 * A record of a batch. Its log_id is decoded only if something asks for it: the rollup takes the hash the worker
 * sent instead.
 */
class BatchRecord implements LogRecord {
  constructor(
    readonly dateMs: number,
    readonly type: string,
    readonly tenant: string,
    readonly hostname: string,
    readonly clientId: string,
    readonly clientName: string,
    readonly audience: string,
    readonly userId: string,
    readonly logIdHi: number | undefined,
    readonly logIdLo: number | undefined,
    /** The id's UTF-8 bytes (with idStart/idEnd), its text, null for none, or false when only its hash was sent. */
    private readonly idSource: Buffer | string | null | false,
    private readonly idStart: number,
    private readonly idEnd: number,
  ) {}

  get logId(): string | null {
    const source = this.idSource;
    if (source === false) throw new LogIdNotSentError('a log_id was asked for whose decoder sent only its hash (RecordFieldsRead.logIdText)');
    return source === null || typeof source === 'string' ? source : source.toString('utf8', this.idStart, this.idEnd);
  }
}

/** Main-thread side: the texts of one object's SpanCache slots, and the records of its batches. */
export class RecordBatchReader {
  private readonly slots = SlotStrings.take();
  private readonly strings = new Array<string>(WIDTH).fill('');
  private released = false;

  /** Follows the batch's slot changes and calls `onRecord` for each record, in order. */
  read(batch: RecordBatchMessage, onRecord: (record: LogRecord) => void): void {
    if (this.released) throw new Error('RecordBatchReader.read() after release()');
    const { dates, idLengths, idTexts, idHashes, refs, spanLengths, texts } = batch;
    const idBytes = Buffer.from(batch.idBytes.buffer, batch.idBytes.byteOffset, batch.idBytes.byteLength);
    const spanBytes = Buffer.from(batch.spanBytes.buffer, batch.spanBytes.byteOffset, batch.spanBytes.byteLength);
    const slots = this.slots;
    const strings = this.strings;
    let nextSpan = 0;
    let spanAt = 0;
    let nextText = 0;
    let nextIdText = 0;
    let idAt = 0;
    for (let i = 0; i < dates.length; i++) {
      const at = i * WIDTH;
      for (let k = 0; k < WIDTH; k++) {
        const ref = refs[at + k];
        if (ref >= 0) {
          strings[k] = slots.get(ref);
        } else if (ref === FIELD_EMPTY) {
          strings[k] = '';
        } else if (ref === FIELD_TEXT) {
          strings[k] = texts[nextText++];
        } else {
          const end = spanAt + spanLengths[nextSpan++];
          strings[k] = ref === NOT_CACHED ? spanBytes.toString('utf8', spanAt, end) : slots.fill(definedSlot(ref), spanBytes, spanAt, end);
          spanAt = end;
        }
      }
      const idLength = idLengths[i];
      let idSource: Buffer | string | null | false = null;
      let idStart = 0;
      if (idLength >= 0) {
        idSource = idBytes;
        idStart = idAt;
        idAt += idLength;
      } else if (idLength === ID_HASH_ONLY) {
        idSource = false;
      } else if (idLength === ID_TEXT) {
        idSource = idTexts[nextIdText++];
      }
      const hashed = idSource !== null;
      onRecord(
        new BatchRecord(
          dates[i],
          strings[0],
          strings[1],
          strings[2],
          strings[3],
          strings[4],
          strings[5],
          strings[6],
          hashed ? idHashes[2 * i] : undefined,
          hashed ? idHashes[2 * i + 1] : undefined,
          idSource,
          idStart,
          idAt,
        ),
      );
    }
  }

  /** The object's batches are over: its slot texts go back for the next object's reader. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.slots.give();
  }
}
