/**
 * One Auth0 log event after its archive envelope is unwrapped and its fields normalized.
 * It keeps only what the rollups read, so the hot path never holds whole records.
 */
export interface LogRecord {
  /** The 56-digit `log_id` (or `_id`/`id`), always a string; null when the record carries none. */
  logId: string | null;
  /**
   * hashLogIdInto(logId) as its high and low 32 bits, when the decoder hashed the id where its bytes were (a decode
   * thread does): the rollup then neither hashes nor reads logId. Absent otherwise (and when logId is null).
   */
  logIdHi?: number;
  logIdLo?: number;
  /** Event time (`date`), epoch milliseconds UTC. */
  dateMs: number;
  /** Event type code; `type_code` when an extension archive rewrote `type` to a readable name. */
  type: string;
  /** `tenant_name`, else the first label of `hostname`, else the configured default tenant. */
  tenant: string;
  /** `hostname`, "" when absent. */
  hostname: string;
  /** `client_id`, "" when missing or null. */
  clientId: string;
  /** `client_name`, "" when missing. */
  clientName: string;
  /** `audience`, "" when missing. */
  audience: string;
  /** `user_id`, "" when missing. */
  userId: string;
}

/** Whether the record has a log_id, without decoding it when the decoder sent its hash. */
export function hasLogId(record: LogRecord): boolean {
  return record.logIdHi !== undefined || record.logId !== null;
}

/** An input item that could not be used: kept verbatim (cut at 64 KiB) for the quarantine file. */
export interface QuarantineItem {
  /** The input object it came from (path or URL). */
  source: string;
  /** 1-based line number where the item starts in the (decompressed) object. */
  line: number;
  /** Why it was set aside, e.g. "malformed: Unexpected end of JSON input" or "rejected: no date". */
  reason: string;
  /** The item's text, cut at 64 KiB. */
  raw: string;
}

export type QuarantineKind = 'malformed' | 'rejected';

/** Receives what decoding one object produces, in input order. Callbacks keep the hot path allocation-free. */
export interface DecodeSink {
  record(record: LogRecord): void;
  /**
   * With DecodeOptions.aggregation, a decode thread asks this instead of record(): whether the record counts
   * (its figures are then added on that thread, see WorkerAggregation). Without it, record() is called.
   */
  claim?(record: LogRecord): boolean;
  /** With claim(): the thread's ObjectAggregator result, once, after the last claim and before decoding resolves. */
  aggregated?(result: unknown): void;
  /** A value that does not parse as JSON (`malformed`) or a parsed item that is not a usable log record (`rejected`). */
  quarantine(kind: QuarantineKind, item: QuarantineItem): void;
}

export const QUARANTINE_RAW_LIMIT = 64 * 1024;
