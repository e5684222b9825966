import type { Readable } from 'node:stream';
import { decodeStream, type DecodeOptions, type DecodeStats } from '../decode/decodeStream';
import { type DecodeSink, type LogRecord, type QuarantineItem, type QuarantineKind, hasLogId } from '../decode/logRecord';
import type { RecordFieldsRead } from '../decode/recordFields';
import type { WorkerAggregation } from '../decode/objectAggregator';
import type { QuarantineFile } from '../sinks/quarantineFile';
import { OutputError } from '../sinks/ndjsonFile';
import { InputError, InputGoneError, type InputObject, type LedgerEntry } from '../sources/inputObject';
import { WHOLE_READ_RETRIES } from '../sources/s3/s3Errors';
import { ledgerEntryOf, objectKey } from '../state/objectIndex';
import { StateError } from '../state/stateErrors';
import { forEachConcurrent } from '../support/forEachConcurrent';
import { ReadStopper, RunStopped, stopReason } from './runStop';
import { RunListing, type ListedInput, type RunListingOptions } from './runListing';

/** How to read a run's objects; the listing's options (inputs, ledger, --from/--to, shard selection) are RunListing's. */
export interface ReadObjectsOptions extends RunListingOptions {
  /** Objects read at once. */
  concurrency: number;
  /** Whole-object re-reads after a retryable read error (a stalled or broken S3 body) [WHOLE_READ_RETRIES, 3]. */
  readRetries?: number;
  /** Which read errors are worth a re-read [none]. */
  isRetryableReadError?(err: unknown): boolean;
  /**
   * Decodes one object [decodeStream, on this thread]. `listed` is the run's whole input, when it was listed before
   * the first object was read (local folders); undefined for a listing read page by page.
   */
  decode?(input: Readable, options: DecodeOptions, sink: DecodeSink, listed: ListedInput | undefined): Promise<DecodeStats>;
  /** Called once no object is read any more, so decode threads end and give back their memory before the summaries are built. */
  endDecoding?(): Promise<unknown>;
  defaultTenant: string;
  /** Where each object's records go: the run's DayRollup, or a shard's record files. */
  rollup: ObjectRecords;
  quarantine?: QuarantineFile;
  /** Items of one object written to --quarantine in full; the rest are counted only. Default QUARANTINE_ITEMS_PER_OBJECT. */
  quarantineItemsPerObject?: number;
  /**
   * A listed object found gone when it is opened (InputGoneError: deleted since the listing, which a long backfill
   * made hours before) is passed over with a warning, and not recorded as read. Not for a merge: a shard's record
   * file must be there.
   */
  skipGone?: boolean;
  /**
   * The run's listing, when the run reads in parts (checkpoints): each part goes on where the one before stopped.
   * Without it, this call lists the inputs itself, and reads them to the end.
   */
  listing?: RunListing;
  /** Where this part of the run ends (a checkpoint): after starting this many objects, or this long after it began. */
  until?: { objects: number; ms: number; now(): number };
}

/** Where objects come from and how they are decoded: what a run and a shard hand readObjects unchanged. */
export type ObjectReading = Pick<ReadObjectsOptions, 'inputs' | 'openSource' | 'concurrency' | 'readRetries' | 'isRetryableReadError' | 'decode' | 'endDecoding'>;

/** The ObjectReading fields of a run's or a shard's options. */
export function objectReadingOf(options: ObjectReading): ObjectReading {
  const { inputs, openSource, concurrency, readRetries, isRetryableReadError, decode, endDecoding } = options;
  return { inputs, openSource, concurrency, readRetries, isRetryableReadError, decode, endDecoding };
}

/** One object's records, kept apart until the object was read to its end (commit) or given up (abort). */
export interface ObjectRecordsPartial {
  add(record: LogRecord): void;
  /** With ObjectRecords.workerAggregation: add() without the figures, which a decode thread adds; true if it counts. */
  claim?(record: LogRecord): boolean;
  /** With claim(): the decode thread's figures of the records claim() said yes to (its aggregator's result). */
  adopt?(result: unknown): void;
  commit(): void;
  abort(): void;
  /** Whether the object held records outside --from/--to (so a wider run must read it again). */
  readonly sawOutOfRange: boolean;
}

/** What readObjects feeds: the records of each object, as a partial of its own. */
export interface ObjectRecords {
  /** `countedFor`: the days whose records of this object an earlier run counted (ObjectIndex.countedFor): not to be counted again. */
  beginObject(object: InputObject, countedFor?: string): ObjectRecordsPartial;
  /** What it reads of each record, when not every field (see RecordFieldsRead). */
  readonly fieldsRead?: RecordFieldsRead;
  /** How a decode thread may add the figures of an object's records itself (its partials have claim and adopt). */
  readonly workerAggregation?: WorkerAggregation;
  /** Records of committed objects. */
  readonly counters: { readonly records: number };
}

/** What reading did, for the run event and the commit. */
export interface ReadTotals {
  objects: number;
  bytes: number;
  malformed: number;
  rejected: number;
  /** Items counted but not written to --quarantine (past the per-object limit). */
  quarantineTruncated: number;
  /** Objects an earlier run read (with --state): not read again. */
  skipped: number;
  /** Listed objects found gone when their turn came (skipGone): passed over. */
  gone: number;
  /** Objects read to the end with no record outside --from/--to: the state remembers them. */
  objectsRead: LedgerEntry[];
  /** Why reading stopped early; the run then delivers no summaries. */
  failure?: Error;
  /** Reading stopped at a checkpoint (`until`) with objects left to read. */
  more: boolean;
}

/**
 * Items of one object written to --quarantine in full: with at most 64 KiB of text each, this bounds what an
 * object's junk can hold in memory on its way to the file (a file of junk lines is one object).
 */
export const QUARANTINE_ITEMS_PER_OBJECT = 100;

/** Counters for what decoding set aside: they join the run's figures only when their object is read to the end. */
interface ObjectTally {
  malformed: number;
  rejected: number;
  /** Items received in full (to be written to --quarantine), in order, this attempt. */
  items: number;
  truncated: number;
}

/**
 * Reads every input object, a few at once, into the rollup: each object's records join its figures only once the
 * object was read to its end (a retried or failed object leaves nothing behind). Objects a --state already holds
 * are skipped. A stop signal ends reading: no further object, the reads in flight destroyed.
 */
export async function readObjects(options: ReadObjectsOptions): Promise<ReadTotals> {
  const { readRetries = WHOLE_READ_RETRIES, isRetryableReadError = () => false, decode = decodeStream } = options;
  const { rollup, log } = options;
  const totals: ReadTotals = { objects: 0, bytes: 0, malformed: 0, rejected: 0, quarantineTruncated: 0, skipped: 0, gone: 0, objectsRead: [], more: false };
  const { until } = options;
  const listing = options.listing ?? new RunListing(options);
  const skippedBefore = listing.skipped;
  const startedMs = until?.now() ?? 0;
  let started = 0;
  const itemsPerObject = options.quarantineItemsPerObject ?? QUARANTINE_ITEMS_PER_OBJECT;
  const { fieldsRead, workerAggregation } = rollup;
  const stopper = new ReadStopper(options.signal);

  async function readObject(object: InputObject): Promise<void> {
    options.progress?.objectStarted(object.name);
    const objectName = objectKey(object.name);
    // Quarantine items go to the file as they come. Decoding is deterministic, so a re-read sets aside the same items
    // in the same order: those an earlier attempt already wrote are not written again.
    let written = 0;
    // Bytes of earlier attempts: an object is passed over as gone only if no attempt read any of it.
    let bytesBefore = 0;
    for (let attempt = 0; ; attempt++) {
      const partial = rollup.beginObject(object, options.state?.objects.countedFor(object));
      const tally: ObjectTally = { malformed: 0, rejected: 0, items: 0, truncated: 0 };
      let writing: Promise<void> = Promise.resolve();
      let position = 0;
      let bytes = 0;
      let unwatch = () => {};
      try {
        const stream: Readable = await stopper.unlessStopped(object.open(), (late) => late.destroy());
        unwatch = stopper.watch(() => stream.destroy(stopper.error()));
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          options.progress?.bytesRead(chunk.length);
        });
        // Only the items written in full reach the callback; decoding counts the rest (and skips their text).
        const quarantineItems = options.quarantine ? itemsPerObject : 0;
        // A record without any id gets one from its place in the object, so that re-reading the object (an edge
        // object of --from/--to, or one that grew) finds it already counted instead of counting it again. The
        // object is named as the state's ledger knows it, however the input was spelled (relative, absolute).
        const identified = (record: LogRecord): LogRecord => {
          position++;
          options.progress?.recordsRead(1);
          return hasLogId(record) ? record : { ...record, logId: `${objectName}#${position}` };
        };
        const { claim, adopt } = partial;
        // An object of unknown size counts as large.
        const counting = workerAggregation !== undefined && claim !== undefined && adopt !== undefined && !((object.size ?? Infinity) < workerAggregation.minObjectBytes);
        const aggregation = counting ? workerAggregation : undefined;
        const stats = await decode(stream, { source: object.name, defaultTenant: options.defaultTenant, quarantineItems, fieldsRead, aggregation }, {
          record: (record) => partial.add(identified(record)),
          claim: counting ? (record) => claim.call(partial, identified(record)) : undefined,
          aggregated: counting ? (result) => adopt.call(partial, result) : undefined,
          quarantine: (_kind: QuarantineKind, item: QuarantineItem) => {
            const quarantine = options.quarantine;
            if (!quarantine) return;
            const index = ++tally.items;
            if (index > itemsPerObject) return; // a decoder that ignored quarantineItems
            if (index > written) {
              written = index;
              writing = writing.then(() => quarantine.write([item]));
              writing.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
            }
          },
        }, listing.whole);
        tally.malformed = stats.malformed;
        tally.rejected = stats.rejected;
        if (options.quarantine) tally.truncated = Math.max(0, stats.malformed + stats.rejected - itemsPerObject);
        await writing;
      } catch (err) {
        partial.abort();
        // A write still queued must settle before the object is read again (or the run ends); its own failure is
        // the file's, kept by the writer and reported when it is closed.
        await writing.catch(() => undefined);
        // Gone before any of it was read, in any attempt: one cut off mid-read and deleted before the re-read fails.
        if (options.skipGone && err instanceof InputGoneError && bytes === 0 && bytesBefore === 0) {
          totals.gone++;
          log.warn({ object: object.name, err: err.message }, 'a listed object was gone when its turn came (deleted since the listing): passed over, not recorded as read');
          options.progress?.objectDone();
          return;
        }
        bytesBefore += bytes;
        if (attempt < readRetries && isRetryableReadError(err) && !stopper.stopped) {
          log.warn({ object: object.name, attempt: attempt + 1, err: (err as Error).message }, 're-reading object from the start');
          options.progress?.objectRetried(bytes, position);
          continue;
        }
        throw nameTheObject(err, object.name);
      } finally {
        unwatch();
      }
      partial.commit();
      // A shard's record file stands for the archive objects its shard read. An object with records outside
      // --from/--to is done with for these days only: a run over other days reads it again.
      if (object.standsFor !== undefined) totals.objectsRead.push(...object.standsFor);
      else totals.objectsRead.push(ledgerEntryOf(object, partial.sawOutOfRange ? options.readDays : undefined));
      totals.objects++;
      totals.bytes += bytes;
      totals.malformed += tally.malformed;
      totals.rejected += tally.rejected;
      totals.quarantineTruncated += tally.truncated;
      if (tally.malformed + tally.rejected > 0) {
        const truncated = tally.truncated > 0 ? { quarantine_truncated: tally.truncated } : {};
        log.warn({ object: object.name, malformed: tally.malformed, rejected: tally.rejected, ...truncated }, 'input items set aside');
      }
      options.progress?.objectDone();
      return;
    }
  }

  /** Ends this part of the run at its checkpoint: no object is started past `until` (the one taken waits for the next part). */
  async function* untilCheckpoint(): AsyncGenerator<InputObject> {
    for (;;) {
      const object = await listing.next();
      if (object === undefined) return;
      if (until && (started >= until.objects || until.now() - startedMs >= until.ms)) {
        listing.holdBack(object);
        totals.more = true;
        return;
      }
      started++;
      yield object;
    }
  }

  try {
    await forEachConcurrent(untilCheckpoint(), options.concurrency, readObject, options.signal);
  } catch (err) {
    const stopped = options.signal?.aborted === true && err === options.signal.reason;
    totals.failure = stopped ? new RunStopped(`${stopReason(options.signal!)} while reading`) : (err as Error);
  } finally {
    stopper.dispose();
    // A listing of its own ends with this call; the run's serves its next part.
    if (options.listing === undefined) listing.close();
    // Decode threads serve the next part of a run that stopped at a checkpoint.
    if (!totals.more || totals.failure) await options.endDecoding?.();
  }
  totals.skipped = listing.skipped - skippedBefore;
  if (totals.failure) totals.more = false;
  if (!totals.more) options.progress?.finish(totals.failure !== undefined);
  if (totals.skipped > 0) log.info({ skipped: totals.skipped }, 'objects read by an earlier run skipped');
  if (!totals.failure && totals.objects > 0 && rollup.counters.records === 0) {
    log.warn({ objects: totals.objects, malformed: totals.malformed, rejected: totals.rejected }, 'no log records in the files read: are they Auth0 log archives?');
  }
  return totals;
}

/** A read error that does not say which input it came from (a stream's EIO, a cut-off file) gets the name added. */
function nameTheObject(err: unknown, name: string): unknown {
  // An output that failed while the object was read (a quarantine line) is the output's error, not the input's.
  if (err instanceof InputError || err instanceof StateError || err instanceof OutputError || !(err instanceof Error) || err.message.includes(name)) return err;
  return new InputError(`cannot read input ${name}: ${err.message}`, { cause: err });
}
