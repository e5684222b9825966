import { type FastRecordReader, LOG_ID_BYTES } from './fastRecord';
import { hashLogIdInto, hashLogIdUtf8Into } from './logIdHash';
import type { LogRecord } from './logRecord';
import { KeptObjects } from './keptObjects';
import { LogIdNotSentError } from './recordFields';

/**
 * With WorkerAggregation, what crosses to the main thread of each record is only what its de-duplication reads:
 * date, tenant and log_id hash. The records themselves stay on the decode thread until their verdicts come back.
 */
export interface ClaimBatchMessage {
  type: 'claims';
  object: number;
  dates: Float64Array;
  /** Per record: the hash of its log_id as [high, low]; [0, 0] for a record without one (see `hasId`). */
  idHashes: Uint32Array;
  /** Per record: 1 when it has a log_id. */
  hasId: Uint8Array;
  /** Per record: its tenant's index in `tenants`. */
  tenantOf: Int32Array;
  /** The batch's distinct tenants, in order of first record. */
  tenants: string[];
}

/** Records per claim batch, as RecordBatchWriter's. */
const CLAIM_RECORDS = 2048;

const keptWriters = new KeptObjects<ClaimBatchWriter>();

/** Decode-thread side: one object's records and their claim batches. */
export class ClaimBatchWriter {
  private records: LogRecord[] = [];
  private dates = new Float64Array(CLAIM_RECORDS);
  private idHashes = new Uint32Array(CLAIM_RECORDS * 2);
  private hasId = new Uint8Array(CLAIM_RECORDS);
  private tenantOf = new Int32Array(CLAIM_RECORDS);
  private tenants: string[] = [];
  private tenantIndex = new Map<string, number>();
  private readonly hash = new Uint32Array(2);

  /**
   * A writer given back by an earlier object, else a new one: its arrays (about 40 KB) cost an object of a few dozen
   * records more to allocate and collect than its decoding did.
   */
  static take(): ClaimBatchWriter {
    return keptWriters.take() ?? new ClaimBatchWriter();
  }

  /** The object is over: what it did not take is dropped, and the writer is kept for the next object. */
  give(): void {
    this.records = [];
    this.tenants = [];
    this.tenantIndex.clear();
    keptWriters.give(this);
  }

  get size(): number {
    return this.records.length;
  }

  /** Adds the record in `reader`, read from `buf`; returns true when the batch is full and must be taken. */
  addFast(reader: FastRecordReader, buf: Buffer): boolean {
    let hashed = true;
    if (reader.logIdKind === LOG_ID_BYTES) {
      hashLogIdUtf8Into(buf, reader.logIdStart, reader.logIdEnd, this.hash);
    } else {
      const text = reader.logId(buf);
      if (text === null) hashed = false;
      else hashLogIdInto(text, this.hash);
    }
    return this.push(reader.toLogRecord(buf, false), hashed);
  }

  /** Adds a record read the general way. */
  add(record: LogRecord): boolean {
    const hashed = record.logId !== null && (hashLogIdInto(record.logId, this.hash), true);
    return this.push(record, hashed);
  }

  /** The batch's claims as a message, and its records (kept by the caller until their verdicts); a fresh batch starts. */
  take(object: number): { message: ClaimBatchMessage; records: LogRecord[] } {
    const n = this.records.length;
    const message: ClaimBatchMessage = {
      type: 'claims',
      object,
      dates: this.dates.slice(0, n),
      idHashes: this.idHashes.slice(0, 2 * n),
      hasId: this.hasId.slice(0, n),
      tenantOf: this.tenantOf.slice(0, n),
      tenants: this.tenants,
    };
    const { records } = this;
    this.records = [];
    this.tenants = [];
    this.tenantIndex.clear();
    return { message, records };
  }

  private push(record: LogRecord, hashed: boolean): boolean {
    const i = this.records.length;
    this.records.push(record);
    this.dates[i] = record.dateMs;
    this.hasId[i] = hashed ? 1 : 0;
    this.idHashes[2 * i] = hashed ? this.hash[0]! : 0;
    this.idHashes[2 * i + 1] = hashed ? this.hash[1]! : 0;
    let tenant = this.tenantIndex.get(record.tenant);
    if (tenant === undefined) {
      tenant = this.tenants.length;
      this.tenants.push(record.tenant);
      this.tenantIndex.set(record.tenant, tenant);
    }
    this.tenantOf[i] = tenant;
    return i + 1 === CLAIM_RECORDS;
  }
}

/**
 * Main-thread side: one record of a claim batch at a time, in a single object filled again for each (the claim
 * keeps none). Only date, tenant and log_id are filled: the fields a claim reads.
 */
export class ClaimRecord implements LogRecord {
  dateMs = 0;
  tenant = '';
  logIdHi: number | undefined = undefined;
  logIdLo: number | undefined = undefined;
  readonly type = '';
  readonly hostname = '';
  readonly clientId = '';
  readonly clientName = '';
  readonly audience = '';
  readonly userId = '';

  get logId(): string | null {
    if (this.logIdHi === undefined) return null;
    throw new LogIdNotSentError('a log_id was asked for whose decode thread sent only its hash');
  }

  /** Calls `claim` with each record of the batch in order; returns the verdicts (1: it counts). */
  static readEach(batch: ClaimBatchMessage, claim: (record: LogRecord) => boolean): Uint8Array {
    const { dates, idHashes, hasId, tenantOf, tenants } = batch;
    const counted = new Uint8Array(dates.length);
    const record = new ClaimRecord();
    for (let i = 0; i < dates.length; i++) {
      record.dateMs = dates[i]!;
      record.tenant = tenants[tenantOf[i]!]!;
      if (hasId[i] === 1) {
        record.logIdHi = idHashes[2 * i];
        record.logIdLo = idHashes[2 * i + 1];
      } else {
        record.logIdHi = record.logIdLo = undefined;
      }
      counted[i] = claim(record) ? 1 : 0;
    }
    return counted;
  }
}
