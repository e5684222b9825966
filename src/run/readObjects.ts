import type { Readable } from 'node:stream';
import { decodeStream, type DecodeOptions, type DecodeStats } from '../decode/decodeStream';
import { type DecodeSink, type LogRecord, type QuarantineItem, type QuarantineKind, hasLogId } from '../decode/logRecord';
import type { RecordFieldsRead } from '../decode/recordFields';
import type { WorkerAggregation } from '../decode/objectAggregator';
import type { QuarantineFile } from '../sinks/quarantineFile';
import { OutputError } from '../sinks/ndjsonFile';
import { InputError, type InputObject, type LedgerEntry, type Source } from '../sources/inputObject';
import { ledgerEntryOf, objectKey, type ObjectIndex } from '../state/objectIndex';
import { StateError } from '../state/stateErrors';
import { forEachConcurrent } from '../support/forEachConcurrent';
import { readAhead } from '../support/readAhead';
import type { Logger } from '../support/logger';
import type { ProgressReporter } from './progressReporter';
import { ReadStopper, RunStopped, stopReason } from './runStop';

export interface ReadObjectsOptions {
  inputs: readonly string[];
  openSource(input: string): Source;
  /** Objects read at once. */
  concurrency: number;
  /** Whole-object re-reads after a retryable read error (a stalled or broken S3 body) [3]. */
  readRetries?: number;
  /** Which read errors are worth a re-read [none]. */
  isRetryableReadError?(err: unknown): boolean;
  /**
   * Decodes one object [decodeStream, on this thread]. `listed` is the whole input this part of the run reads,
   * when it was listed before the first object was read (local folders); undefined for a listing read page by page.
   */
  decode?(input: Readable, options: DecodeOptions, sink: DecodeSink, listed: ListedInput | undefined): Promise<DecodeStats>;
  /** Called once no object is read any more, so decode threads end and give back their memory before the summaries are built. */
  endDecoding?(): Promise<void>;
  defaultTenant: string;
  /** --from/--to were given (an empty input is then less alarming). */
  dayBounded: boolean;
  /**
   * The days this run reads, as the ledger keeps them (readDaysKey of --from/--to; undefined for every day): an
   * object the ledger has for these days is skipped, and one with records outside them is recorded for them.
   */
  readDays?: string;
  /** Where each object's records go: the run's DayRollup, or a shard's record files. */
  rollup: ObjectRecords;
  /** The state's ledger (with --state): objects it has read are skipped. */
  state?: { readonly objects: Pick<ObjectIndex, 'isUnchanged'> };
  /** Reads only the objects this says yes to (a shard's own), given the object and the input it was listed under. */
  selects?(object: InputObject, input: string): boolean;
  quarantine?: QuarantineFile;
  /** Items of one object written to --quarantine in full; the rest are counted only. Default QUARANTINE_ITEMS_PER_OBJECT. */
  quarantineItemsPerObject?: number;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  log: Logger;
  /**
   * Objects this run has dealt with in earlier checkpoints (keys by objectKey): skipped without a word. Every
   * object read to its end or skipped as read by an earlier run is added.
   */
  handled?: Set<string>;
  /** Objects already announced to the progress display by an earlier part of this run (keys by objectKey). */
  announced?: Set<string>;
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

/** What a run reads, listed whole before its first object is read: its bytes, when every object's size is known. */
export interface ListedInput {
  readonly bytes: number | undefined;
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
  beginObject(object: InputObject): ObjectRecordsPartial;
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
  /** Objects read to the end with no record outside --from/--to: the state remembers them. */
  objectsRead: LedgerEntry[];
  /** Why reading stopped early; the run then delivers no summaries. */
  failure?: Error;
  /** Reading stopped at a checkpoint (`until`) with objects left to read. */
  more: boolean;
}

/**
 * Objects listed ahead of reading at most, from a source listed page by page (S3): enough for the total (and an ETA)
 * to be known early on most prefixes, with a bound on what the listing holds (a few hundred bytes an object).
 * A source that lists whole (a local folder) is always taken whole.
 */
export const LIST_AHEAD_LIMIT = 100_000;

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
  const { readRetries = 3, isRetryableReadError = () => false, decode = decodeStream } = options;
  const { rollup, state, log } = options;
  const totals: ReadTotals = { objects: 0, bytes: 0, malformed: 0, rejected: 0, quarantineTruncated: 0, skipped: 0, objectsRead: [], more: false };
  const { handled, announced, until } = options;
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
    for (let attempt = 0; ; attempt++) {
      const partial = rollup.beginObject(object);
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
        }, wholeInput);
        tally.malformed = stats.malformed;
        tally.rejected = stats.rejected;
        if (options.quarantine) tally.truncated = Math.max(0, stats.malformed + stats.rejected - itemsPerObject);
        await writing;
      } catch (err) {
        partial.abort();
        // A write still queued must settle before the object is read again (or the run ends); its own failure is
        // the file's, kept by the writer and reported when it is closed.
        await writing.catch(() => undefined);
        if (attempt < readRetries && isRetryableReadError(err) && !stopper.stopped) {
          log.warn({ object: object.name, attempt: attempt + 1, err: (err as Error).message }, 're-reading object from the start');
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
      handled?.add(objectKey(object.name));
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

  let sources: Array<{ input: string; source: Source }> = [];
  // Set once a whole listing is done, before the first object is read.
  let wholeInput: ListedInput | undefined;
  // Whether the source being listed holds its whole listing anyway; else the list-ahead stops at LIST_AHEAD_LIMIT.
  let listingWhole = false;
  async function* listedObjects(): AsyncGenerator<InputObject> {
    for (const { input, source } of sources) {
      let listed = 0;
      listingWhole = source.listsWhole === true;
      for await (const object of source.list()) {
        listed++;
        const key = objectKey(object.name);
        if (handled?.has(key)) continue;
        if (options.selects && !options.selects(object, input)) continue;
        if (state?.objects.isUnchanged(object, options.readDays)) {
          totals.skipped++;
          handled?.add(key);
          continue;
        }
        if (!announced?.has(key)) {
          announced?.add(key);
          options.progress?.objectListed(object.size);
        }
        yield object;
      }
      // An empty folder or prefix is more often a wrong path or a stopped log stream than a quiet day. With
      // --from/--to, S3 listing already leaves out keys dated outside the days, so there it may be expected.
      if (listed === 0) {
        if (!options.dayBounded) log.warn({ input }, 'input holds no files or objects: check the path or prefix');
        else log.info({ input }, 'input holds no files or objects for the --from/--to days');
      }
    }
    options.progress?.listingDone();
  }

  /** Local folders only: every object is listed (and the total known) before the first one is read. */
  async function* wholeListing(): AsyncGenerator<InputObject> {
    const objects: InputObject[] = [];
    let bytes: number | undefined = 0;
    for await (const object of listedObjects()) {
      objects.push(object);
      bytes = bytes === undefined || object.size === undefined ? undefined : bytes + object.size;
    }
    wholeInput = { bytes };
    yield* objects;
  }

  /** Ends this part of the run at its checkpoint: no object is started past `until` (those listed wait for the next part). */
  async function* untilCheckpoint(listing: AsyncIterable<InputObject>): AsyncGenerator<InputObject> {
    for await (const object of listing) {
      if (until && (started >= until.objects || until.now() - startedMs >= until.ms)) {
        totals.more = true;
        return;
      }
      started++;
      yield object;
    }
  }

  try {
    sources = options.inputs.map((input) => ({ input, source: options.openSource(input) }));
    const listsWhole = sources.every(({ source }) => source.listsWhole === true);
    // Listed ahead of reading, so the progress display knows the total from the start (and an ETA).
    const listing = readAhead(listsWhole ? wholeListing() : listedObjects(), (queued) => !listingWhole && queued >= LIST_AHEAD_LIMIT, options.signal);
    await forEachConcurrent(untilCheckpoint(listing), options.concurrency, readObject, options.signal);
  } catch (err) {
    const stopped = options.signal?.aborted === true && err === options.signal.reason;
    totals.failure = stopped ? new RunStopped(`${stopReason(options.signal!)} while reading`) : (err as Error);
  } finally {
    stopper.dispose();
    // Decode threads serve the next part of a run that stopped at a checkpoint.
    if (!totals.more || totals.failure) await options.endDecoding?.();
  }
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
