import type { Readable } from 'node:stream';
import { isJsonObject, unwrapEnvelope } from './envelope';
import { DECLINED, FastRecordReader } from './fastRecord';
import { pumpDecompressed } from './gzip';
import { type ItemLimits, JsonValueScanner } from './jsonValueScanner';
import type { DecodeSink, LogRecord } from './logRecord';
import { NOT_AN_OBJECT, type RecordRejection, isRejection, normalizeRecord } from './normalize';
import { itemRaw } from './rawText';
import type { RecordFieldsRead } from './recordFields';
import type { WorkerAggregation } from './objectAggregator';

export interface DecodeOptions extends ItemLimits {
  /** Name of the input object (path or s3:// URL), copied into quarantine items. */
  source: string;
  /** Tenant for records that carry neither `tenant_name` nor `hostname`. */
  defaultTenant: string;
  /**
   * Items set aside that reach sink.quarantine (default: all); the ones after are only counted in the stats. A
   * caller that keeps the first N items of an object says N here, and decoding spends nothing on the others' text.
   */
  quarantineItems?: number;
  /** Checked between chunks: once aborted, decoding stops and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The fields the sink reads (default: all); the decoder may leave the others out of the records it reads fast. */
  fieldsRead?: RecordFieldsRead;
  /**
   * Where the object is decoded on a decode thread and the sink has claim(): count the records there (see
   * WorkerAggregation). Decoding on the calling thread ignores it and calls sink.record().
   */
  aggregation?: WorkerAggregation;
}

export interface DecodeStats {
  /** Well-formed JSON items read (top-level values, each element of a top-level array counted): records + rejected. */
  values: number;
  /** Items delivered to `sink.record`. */
  records: number;
  /** Spans that are not JSON, plus one for bad gzip data; each went to the quarantine as `malformed`. */
  malformed: number;
  /** Well-formed items that are not usable log records; each went to the quarantine as `rejected`. */
  rejected: number;
}

/** One well-formed item → the log record inside it, or why it is unusable. */
export function decodeItem(item: unknown, defaultTenant: string): LogRecord | RecordRejection {
  if (!isJsonObject(item)) return NOT_AN_OBJECT;
  const { record, outerLogId } = unwrapEnvelope(item);
  return normalizeRecord(record, outerLogId, defaultTenant);
}

/** decodeStream's sink at the level a decode worker needs it: fast-path records are left in the reader. */
export interface DecodeConsumer extends DecodeSink {
  /** A record read by the fast path from `buf`; `reader` holds it until its next read. */
  fastRecord(reader: FastRecordReader, buf: Buffer): void;
  /** An input chunk the decoder holds no more (see pumpDecompressed): its buffer may be reused. */
  inputDone?(chunk: Buffer): void;
}

/**
 * Reads one object's raw bytes (gzip or plain), calls sink.record / sink.quarantine in input order, resolves when done.
 * Rejects only when the underlying stream errors (I/O) or the sink throws; bad data is quarantined, never thrown.
 */
export function decodeStream(input: Readable, options: DecodeOptions, sink: DecodeSink): Promise<DecodeStats> {
  return decodeObject(input, options, {
    fastRecord: (reader, buf) => sink.record(reader.toLogRecord(buf)),
    record: (record) => sink.record(record),
    quarantine: (kind, item) => sink.quarantine(kind, item),
  });
}

/** decodeStream with the fast path's records handed over in the reader (see DecodeConsumer). */
export async function decodeObject(input: Readable, options: DecodeOptions, consumer: DecodeConsumer): Promise<DecodeStats> {
  const { source, defaultTenant, signal } = options;
  const stats: DecodeStats = { values: 0, records: 0, malformed: 0, rejected: 0 };
  const quarantineItems = options.quarantineItems ?? Infinity;
  /** Whether the item just counted as set aside reaches the sink; once none will, the scanner stops keeping text. */
  const wanted = (): boolean => {
    const index = stats.malformed + stats.rejected;
    if (index === quarantineItems) scanner.dropMalformedText();
    return index <= quarantineItems;
  };
  const fast = new FastRecordReader(defaultTenant, options.fieldsRead);
  const scanner = new JsonValueScanner({
    fastObject(buf, start, limit) {
      // A longer item might be past a limit: the scanner's walk decides.
      const end = fast.read(buf, start, limit, scanner.fastItemLimit);
      if (end >= 0) {
        stats.values++;
        stats.records++;
        consumer.fastRecord(fast, buf);
      }
      return end;
    },
    value(value, text, line) {
      stats.values++;
      const result = decodeItem(value, defaultTenant);
      if (isRejection(result)) {
        stats.rejected++;
        if (wanted()) consumer.quarantine('rejected', { source, line, reason: result.reason, raw: itemRaw(text) });
      } else {
        stats.records++;
        consumer.record(result);
      }
    },
    malformed(line, message, raw) {
      stats.malformed++;
      if (wanted()) consumer.quarantine('malformed', { source, line, reason: `malformed: ${message}`, raw });
    },
  }, options);
  if (quarantineItems === 0) scanner.dropMalformedText();
  const inputDone = consumer.inputDone?.bind(consumer);
  try {
    const { gzipError } = await pumpDecompressed(input, (chunk) => {
      signal?.throwIfAborted();
      scanner.push(chunk);
    }, inputDone);
    scanner.end(gzipError === null ? undefined : `gzip: ${gzipError}`);
    return stats;
  } finally {
    fast.release();
  }
}
