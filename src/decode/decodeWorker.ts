/**
 * Entry point of a decode worker thread: decodes the objects the main thread streams to it with decodeStream
 * (gunzip on the libuv pool, scanning and normalizing here) and sends their records back in batches; or, with
 * aggregation (WorkerAggregation), sends only what the main thread's claims read and adds up the records it counts.
 */
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { type DecodeOptions, type DecodeStats, decodeObject } from './decodeStream';
import { type FromWorker, MAX_BATCHES_IN_FLIGHT, type ToWorker } from './decodeWorkerProtocol';
import type { FastRecordReader } from './fastRecord';
import type { LogRecord, QuarantineItem, QuarantineKind } from './logRecord';
import { QuarantineBatchWriter } from './quarantineBatch';
import { ClaimBatchWriter } from './claimBatch';
import type { ObjectAggregator, WorkerAggregation } from './objectAggregator';
import { RecordBatchWriter } from './recordBatch';
import { Auth0UsageError } from '../support/errors';

const port = parentPort;
if (port === null) throw new Error('decodeWorker must run in a worker thread');

/** Copies rather than transfers the batches' buffers: a thread that has detached a buffer reads every typed array
 *  more slowly from then on (see InputChunkPool). */
function send(message: FromWorker): void {
  (port as NonNullable<typeof port>).postMessage(message);
}

/** Thrown into an abandoned object's decode so that it stops. */
class Abandoned extends Auth0UsageError {
  static override readonly code: string = 'ERR_DECODE_ABANDONED';
  static override readonly internal = true;
}

/** One object being decoded: raw bytes wait here until its decoder asks for them and batch credit allows. */
class ObjectDecode {
  private readonly waiting: Buffer[] = [];
  /**
   * The chunks the main thread sent, by their buffer, until the decoder has finished with them (weakly: a plain
   * object's chunks are never reported finished, see pumpDecompressed).
   */
  private readonly lent = new WeakMap<ArrayBufferLike, Buffer>();
  /** Buffers of chunks the decoder has finished with, handed back with the next 'taken'. */
  private returned: SharedArrayBuffer[] = [];
  private ended = false;
  private abandoned = false;
  private wantsBytes = false;
  private batchesInFlight = 0;
  /** The records for the main thread: themselves, or (with aggregation) their claims. */
  private readonly batch: RecordBatchWriter | ClaimBatchWriter;
  // Either this or the record batch is empty: each is sent before the other grows, which keeps the input order.
  private readonly quarantined = new QuarantineBatchWriter();
  private quarantineSent = false;
  private readonly input = new Readable({ read: () => this.onRead() });
  /**
   * With aggregation (see WorkerAggregation): the records of the claim batches sent and not yet answered, oldest
   * first, and the stats of a decode that ended before the last answer.
   */
  private readonly aggregating: { aggregator: ObjectAggregator; pending: LogRecord[][]; stats?: DecodeStats } | undefined;

  constructor(private readonly id: number, options: DecodeOptions, aggregation: WorkerAggregation | undefined) {
    if (aggregation === undefined) this.batch = RecordBatchWriter.take(options.fieldsRead?.logIdText ?? true);
    else {
      const { createObjectAggregator } = require(aggregation.module) as { createObjectAggregator(settings: unknown): ObjectAggregator };
      this.aggregating = { aggregator: createObjectAggregator(aggregation.settings), pending: [] };
      this.batch = ClaimBatchWriter.take();
    }
    const consumer = {
      fastRecord: (reader: FastRecordReader, buf: Buffer) => {
        this.checkWanted();
        this.flushQuarantined();
        if (this.batch.addFast(reader, buf)) this.flush();
      },
      record: (record: LogRecord) => {
        this.checkWanted();
        this.flushQuarantined();
        if (this.batch.add(record)) this.flush();
      },
      quarantine: (kind: QuarantineKind, item: QuarantineItem) => this.quarantine(kind, item),
      inputDone: (chunk: Buffer) => {
        // Only a chunk as the main thread sent it goes back: one the decoder made (joined or split bytes) may
        // share its buffer with bytes still in use.
        const sent = this.lent.get(chunk.buffer);
        if (sent === undefined || sent.byteOffset !== chunk.byteOffset || sent.length !== chunk.length) return;
        this.lent.delete(chunk.buffer);
        this.returned.push(chunk.buffer as SharedArrayBuffer);
      },
    };
    decodeObject(this.input, options, consumer).then(
      (stats) => {
        if (!this.abandoned) {
          this.flushQuarantined();
          this.flush();
          if (this.aggregating === undefined) this.finish(stats);
          else {
            this.aggregating.stats = stats;
            this.finishCounting();
          }
        }
        this.batch.give();
      },
      (err: unknown) => {
        this.batch.give();
        this.fail(err);
      },
    );
  }

  bytes(chunk: Buffer): void {
    this.lent.set(chunk.buffer, chunk);
    this.waiting.push(chunk);
    this.feed();
  }

  end(): void {
    this.ended = true;
    this.feed();
  }

  handled(batches: number): void {
    this.batchesInFlight -= batches;
    this.feed();
  }

  /** The main thread's verdicts on the oldest unanswered claim batch: its counted records are added here. */
  verdicts(counted: Uint8Array): void {
    const aggregating = this.aggregating;
    const records = aggregating?.pending.shift();
    if (aggregating === undefined || records === undefined || records.length !== counted.length) return this.fail(new Error('verdicts for no claim batch sent'));
    try {
      for (let i = 0; i < records.length; i++) if (counted[i] === 1) aggregating.aggregator.add(records[i]!);
    } catch (err) {
      return this.fail(err);
    }
    this.handled(1);
    this.finishCounting();
  }

  abandon(): void {
    this.abandoned = true;
    if (this.aggregating !== undefined) this.aggregating.pending.length = 0;
    this.waiting.length = 0;
    this.input.destroy(new Abandoned('abandoned'));
  }

  private onRead(): void {
    this.wantsBytes = true;
    this.feed();
  }

  /** Gives the decoder its next raw chunk when it wants one and the main thread keeps up with the batches. */
  private feed(): void {
    if (this.abandoned || !this.wantsBytes || this.batchesInFlight >= MAX_BATCHES_IN_FLIGHT) return;
    const chunk = this.waiting.shift();
    if (chunk !== undefined) {
      this.wantsBytes = false;
      const returned = this.returned;
      this.returned = [];
      send({ type: 'taken', object: this.id, bytes: chunk.length, returned });
      this.input.push(chunk);
    } else if (this.ended) {
      this.wantsBytes = false;
      this.input.push(null);
    }
  }

  private checkWanted(): void {
    if (this.abandoned) throw new Abandoned('abandoned');
  }

  private quarantine(kind: QuarantineKind, item: QuarantineItem): void {
    this.checkWanted();
    this.flush(); // keeps records and quarantine items in input order
    // The object's first item goes at once: whoever stops on it (a first bad line of a file that is not a log
    // archive) must not wait for the rest of the chunk, which may be a record that takes seconds to read.
    if (this.quarantined.add(kind, item) || !this.quarantineSent) this.flushQuarantined();
  }

  private flushQuarantined(): void {
    if (this.quarantined.size === 0) return;
    this.quarantineSent = true;
    this.batchesInFlight++;
    send(this.quarantined.take(this.id));
  }

  private flush(): void {
    const batch = this.batch;
    if (batch.size === 0) return;
    this.batchesInFlight++;
    if (batch instanceof RecordBatchWriter) return send(batch.take(this.id));
    const { message, records } = batch.take(this.id);
    send(message);
    this.aggregating!.pending.push(records);
  }

  /** With aggregation, once decoding ended and every batch was answered: the result, then 'done'. */
  private finishCounting(): void {
    const aggregating = this.aggregating!;
    const { stats } = aggregating;
    if (stats === undefined || aggregating.pending.length > 0 || this.abandoned) return;
    let result: unknown;
    try {
      result = aggregating.aggregator.result();
    } catch (err) {
      return this.fail(err);
    }
    send({ type: 'aggregated', object: this.id, result });
    this.finish(stats);
  }

  private finish(stats: DecodeStats): void {
    send({ type: 'done', object: this.id, stats });
    objects.delete(this.id);
  }

  /** A defect here (not bad data, which is quarantined): the object fails, and nothing more is sent for it. */
  private fail(err: unknown): void {
    objects.delete(this.id);
    if (this.abandoned) return;
    this.abandon();
    send({ type: 'failed', object: this.id, message: (err as Error)?.message ?? String(err) });
  }
}

const objects = new Map<number, ObjectDecode>();

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'open':
      try {
        objects.set(message.object, new ObjectDecode(message.object, { source: message.source, defaultTenant: message.defaultTenant, maxItemBytes: message.maxItemBytes, maxItemKeys: message.maxItemKeys, quarantineItems: message.quarantineItems, fieldsRead: message.fieldsRead }, message.aggregation));
      } catch (err) {
        send({ type: 'failed', object: message.object, message: `cannot count on this thread: ${(err as Error)?.message ?? String(err)}` });
      }
      break;
    case 'bytes': {
      const { chunk } = message;
      objects.get(message.object)?.bytes(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      break;
    }
    case 'end':
      objects.get(message.object)?.end();
      break;
    case 'handled':
      objects.get(message.object)?.handled(message.batches);
      break;
    case 'verdicts':
      objects.get(message.object)?.verdicts(message.counted);
      break;
    case 'abort':
      objects.get(message.object)?.abandon();
      objects.delete(message.object);
      send({ type: 'aborted', object: message.object });
      break;
    case 'exit':
      // Between messages no zlib stream is half made (see ToWorker 'exit'); the thread's teardown closes the rest.
      process.exit(0);
  }
});
