import os from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { DecodeOptions, DecodeStats } from './decodeStream';
import { type FromWorker, INPUT_WINDOW_BYTES, type ToWorker } from './decodeWorkerProtocol';
import { InputChunkPool } from './inputChunkPool';
import type { DecodeSink, LogRecord } from './logRecord';
import { type ClaimBatchMessage, ClaimRecord } from './claimBatch';
import { readQuarantineBatch } from './quarantineBatch';
import { type RecordBatchMessage, RecordBatchReader } from './recordBatch';
import { Auth0UsageError } from '../support/errors';
import { TurnByTurn } from './turnByTurn';

/**
 * Objects in flight per stop signal, failed together when it fires: one listener per signal, since --concurrency
 * may exceed the ten listeners after which an AbortSignal warns.
 */
const objectsBySignal = new WeakMap<AbortSignal, Set<RemoteObject>>();

function watchSignal(signal: AbortSignal, object: RemoteObject): () => void {
  let objects = objectsBySignal.get(signal);
  if (objects === undefined) {
    const watched = new Set<RemoteObject>();
    objects = watched;
    objectsBySignal.set(signal, watched);
    signal.addEventListener('abort', () => {
      for (const each of [...watched]) each.fail(signal.reason);
    }, { once: true });
  }
  objects.add(object);
  return () => objects.delete(object);
}

/** Raised when a decode worker stops unexpectedly; the objects it was decoding fail with it. */
export class DecodeWorkerError extends Auth0UsageError {
  static override readonly code: string = 'ERR_DECODE_WORKER';
  static override readonly internal = true;
}

/** Most decode threads a run starts unless told otherwise (--decode-threads): one per core. */
let threadLimit = os.availableParallelism();

/**
 * How long a worker may take to answer 'abort' before it is terminated. Items are bounded (see ItemLimits), so a
 * worker answers within milliseconds unless something holds its thread; a stop must not wait on that.
 */
export const DEFAULT_ABORT_ANSWER_MS = 5_000;
let abortAnswerMs = DEFAULT_ABORT_ANSWER_MS;

/** Sets the bound on a worker's answer to 'abort' (tests shorten it); returns the previous one. */
export function setAbortAnswerTimeout(ms: number): number {
  const previous = abortAnswerMs;
  abortAnswerMs = ms;
  return previous;
}

/**
 * decodeStream with the decoding on a worker thread: the same contract, the same records and quarantine items in
 * the same order, the same stats. The main thread only moves raw bytes to the worker and hands the records it
 * gets back to `sink`, so it stays free for the rollup while other cores gunzip and parse. With
 * options.aggregation and a sink that claims, the records stay on the worker: `sink.claim` gets each one with only
 * its date, tenant and log_id, and `sink.aggregated` the worker's sum of those it said yes to.
 */
export function decodeStreamInWorker(input: Readable, options: DecodeOptions, sink: DecodeSink): Promise<DecodeStats> {
  try {
    return threadForNextObject().decode(input, options, sink);
  } catch (err) {
    return Promise.reject(err); // the worker could not be started
  }
}

/**
 * Ends the decode threads (after their current objects fail); the next decode starts new ones. Resolves with their
 * exit codes: 0 for a thread that ended itself when asked, 1 for one terminated (it did not within the answer bound).
 */
export async function closeDecodeWorkers(): Promise<number[]> {
  const current = threads;
  threads = [];
  return Promise.all(current.map((thread) => thread.close()));
}

/** Buffers the running decode threads have made to send raw input in (most are reused: see InputChunkPool). */
export function inputBuffersMade(): number {
  return threads.reduce((sum, thread) => sum + thread.inputChunks.allocated, 0);
}

/** Decode threads running now: one per object in flight, up to decodeThreadLimit(). */
export function decodeThreadCount(): number {
  return threads.length;
}

/** Objects whose figures a decode thread added up (WorkerAggregation) so far in this process. */
export function objectsAggregatedOnThreads(): number {
  return aggregatedOnThreads;
}

/** Decode threads this process has started so far, those since closed included. */
export function decodeThreadsStarted(): number {
  return threadsStarted;
}

/**
 * Starts the first decode thread now, if none runs, so that its start-up (a new V8 isolate and the decoder's code,
 * about 65 ms) overlaps the run's own set-up instead of delaying the first object's bytes. It is unref'd: it keeps
 * no process alive.
 */
export function startDecodeThread(): void {
  if (threads.length === 0) startThread();
}

let threads: DecodeThread[] = [];
let threadsStarted = 0;
let aggregatedOnThreads = 0;
let nextObjectId = 1;

/** Most decode threads a run starts: one per core unless set by setDecodeThreadLimit(). */
export function decodeThreadLimit(): number {
  return threadLimit;
}

/** Sets the most decode threads started from now on (at least 1); returns the previous limit. */
export function setDecodeThreadLimit(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`decode thread limit must be a whole number of at least 1, got ${threads}`);
  const previous = threadLimit;
  threadLimit = threads;
  return previous;
}

/**
 * An idle thread; else a new one while under decodeThreadLimit(); else the least busy. A thread is started only
 * when every running one is busy: a run over one object starts one, and its start-up takes no CPU from decoding.
 */
function threadForNextObject(): DecodeThread {
  const idle = threads.find((thread) => thread.active === 0);
  if (idle !== undefined) return idle;
  if (threads.length < decodeThreadLimit()) return startThread();
  return threads.reduce((best, thread) => (thread.active < best.active ? thread : best));
}

function startThread(): DecodeThread {
  const thread = new DecodeThread();
  threads.push(thread);
  threadsStarted++;
  return thread;
}

/**
 * The worker's script: the compiled .js next to this file. Running from the TypeScript sources (the tests), the
 * build's copy in dist/ (the tests' global setup builds it first), so that no worker compiles TypeScript as it
 * starts; without a build, the .ts entry through the project's require hook (about 1.5 s a worker).
 */
function startWorker(): Worker {
  if (path.extname(__filename) === '.js') return new Worker(path.join(__dirname, 'decodeWorker.js'));
  const built = path.resolve(__dirname, '../../dist/decode/decodeWorker.js');
  if (existsSync(built)) return new Worker(built);
  const hook = path.resolve(__dirname, '../../scripts/ts-register.js');
  const entry = path.join(__dirname, 'decodeWorker.ts');
  return new Worker(`require(${JSON.stringify(hook)}); require(${JSON.stringify(entry)});`, { eval: true });
}

/** A worker's end, queued behind its messages. */
interface WorkerEnded {
  type: 'ended';
  error: DecodeWorkerError;
}

/** The main-thread end of one decode object. */
interface RemoteObject {
  receive(message: FromWorker): void;
  fail(err: Error): void;
}

class DecodeThread {
  active = 0;
  /** The buffers this thread's objects send their raw bytes in (two windows' worth kept, for objects side by side). */
  readonly inputChunks = new InputChunkPool(2 * INPUT_WINDOW_BYTES);
  private readonly worker = startWorker();
  private readonly exitCode = new Promise<number>((resolve) => this.worker.once('exit', resolve));
  private readonly objects = new Map<number, RemoteObject>();
  /** Objects told to abort whose answer has not come, with the timer that terminates the worker if it never does. */
  private readonly abortsUnanswered = new Map<number, NodeJS.Timeout>();
  private closed = false;

  /**
   * The worker's messages, in order, one batch of records a turn of the event loop (see TurnByTurn); its end (a
   * crash, an exit) after them, as Node delivers it: an object whose 'done' came before is done, not failed.
   */
  private readonly inbox = new TurnByTurn<FromWorker | WorkerEnded>(
    (message) => (message.type === 'ended' ? this.stop(message.error) : this.objects.get(message.object)?.receive(message)),
    (message) => message.type === 'batch' || message.type === 'claims',
  );

  constructor() {
    this.worker.on('message', (message: FromWorker) => {
      // An answer to 'abort' is taken as it comes, not behind the inbox: queued behind other objects' batches, one a
      // turn, it would wait past the answer bound, whose timer runs between them, and the worker be terminated.
      if (message.type === 'aborted') {
        clearTimeout(this.abortsUnanswered.get(message.object));
        this.abortsUnanswered.delete(message.object);
        return;
      }
      this.inbox.push(message);
    });
    this.worker.on('error', (err) => this.inbox.push({ type: 'ended', error: new DecodeWorkerError(`decode worker failed: ${err.message}`) }));
    this.worker.on('exit', (code) => this.inbox.push({ type: 'ended', error: new DecodeWorkerError(`decode worker exited with code ${code}`) }));
    this.worker.unref(); // only objects in flight keep the process alive (after the listeners: adding one refs)
  }

  /** Nothing is transferred: see InputChunkPool. */
  post(message: ToWorker): void {
    if (!this.closed) this.worker.postMessage(message);
  }

  /** Tells the worker to stop decoding `object`; a worker that does not answer in time is terminated. */
  abort(object: number): void {
    if (this.closed) return;
    this.post({ type: 'abort', object });
    const timer = setTimeout(() => {
      this.abortsUnanswered.delete(object);
      void this.close(new DecodeWorkerError(`decode worker did not stop within ${abortAnswerMs} ms when told to; it was terminated`), 'terminate');
    }, abortAnswerMs);
    timer.unref();
    this.abortsUnanswered.set(object, timer);
  }

  decode(input: Readable, options: DecodeOptions, sink: DecodeSink): Promise<DecodeStats> {
    if (this.closed) return Promise.reject(new DecodeWorkerError('decode worker is closed'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = nextObjectId++;
    return new Promise<DecodeStats>((resolve, reject) => {
      if (this.active++ === 0) this.worker.ref();
      let unwatch = (): void => undefined;
      const done = (): void => {
        unwatch();
        this.objects.delete(id);
        if (--this.active === 0) this.worker.unref();
      };
      const object = new ObjectSender(this, id, input, sink, {
        resolve: (stats) => (done(), resolve(stats)),
        reject: (err) => (done(), reject(err)),
      });
      this.objects.set(id, object);
      if (signal !== undefined) unwatch = watchSignal(signal, object);
      const { source, defaultTenant, maxItemBytes, maxItemKeys, quarantineItems, fieldsRead } = options;
      const aggregation = sink.claim !== undefined && sink.aggregated !== undefined ? options.aggregation : undefined;
      this.post({ type: 'open', object: id, source, defaultTenant, maxItemBytes, maxItemKeys, quarantineItems, fieldsRead, aggregation });
      object.start();
    });
  }

  /**
   * Fails the thread's objects and ends it: asked to exit between two messages (see ToWorker 'exit'), and terminated
   * only if it has not within the answer bound, or at once when it has already failed to answer. Resolves with its
   * exit code.
   */
  async close(err = new DecodeWorkerError('decode workers closed'), how: 'ask' | 'terminate' = 'ask'): Promise<number> {
    this.stop(err);
    if (how === 'terminate') {
      await this.worker.terminate();
      return this.exitCode;
    }
    this.worker.ref(); // the process waits for the thread's end, as it waited for terminate()
    this.worker.postMessage({ type: 'exit' } satisfies ToWorker);
    const timer = setTimeout(() => void this.worker.terminate(), abortAnswerMs);
    try {
      return await this.exitCode;
    } finally {
      clearTimeout(timer);
    }
  }

  private stop(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.abortsUnanswered.values()) clearTimeout(timer);
    this.abortsUnanswered.clear();
    threads = threads.filter((thread) => thread !== this);
    for (const object of [...this.objects.values()]) object.fail(err);
  }
}

/** Streams one object's raw bytes to the worker and its results to the sink. */
class ObjectSender implements RemoteObject {
  private readonly reader = new RecordBatchReader();
  private unacknowledged = 0;
  private paused = false;
  private finished = false;
  private inputEnded = false;
  private readonly onRecord: DecodeSink['record'];
  private readonly onClaim: (record: LogRecord) => boolean;
  private readonly onQuarantine: DecodeSink['quarantine'];

  constructor(
    private readonly thread: DecodeThread,
    private readonly id: number,
    private readonly input: Readable,
    private readonly sink: DecodeSink,
    private readonly settle: { resolve(stats: DecodeStats): void; reject(err: unknown): void },
  ) {
    this.onRecord = (record) => sink.record(record);
    this.onClaim = (record) => sink.claim!(record);
    this.onQuarantine = (kind, item) => sink.quarantine(kind, item);
  }

  start(): void {
    // An input that already ended or closed will send no more events to wait for.
    if (this.input.destroyed || this.input.readableEnded) return this.fail(new Error('input stream closed before its end'));
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', this.fail);
    this.input.on('close', this.onClose);
  }

  receive(message: FromWorker): void {
    if (message.type === 'batch') return this.batch(message);
    if (message.type === 'claims') return this.claims(message);
    if (message.type === 'taken') for (const buffer of message.returned) this.thread.inputChunks.give(buffer);
    if (this.finished) return;
    try {
      switch (message.type) {
        case 'taken':
          this.unacknowledged -= message.bytes;
          if (this.paused && this.unacknowledged <= INPUT_WINDOW_BYTES / 2) {
            this.paused = false;
            this.input.resume();
          }
          break;
        case 'quarantine':
          readQuarantineBatch(message, this.onQuarantine);
          this.thread.post({ type: 'handled', object: this.id, batches: 1 });
          break;
        case 'aggregated':
          this.sink.aggregated!(message.result);
          aggregatedOnThreads++;
          break;
        case 'done':
          this.finish();
          this.settle.resolve(message.stats);
          break;
        case 'failed':
          this.fail(new DecodeWorkerError(`decode worker could not read ${this.id}: ${message.message}`));
          break;
      }
    } catch (err) {
      this.fail(err); // the sink threw
    }
  }

  private batch(message: RecordBatchMessage): void {
    if (this.finished) return;
    try {
      this.reader.read(message, this.onRecord);
    } catch (err) {
      this.fail(err); // the sink threw
      return;
    }
    this.thread.post({ type: 'handled', object: this.id, batches: 1 });
  }

  /** With aggregation: each record of the batch claimed, and the verdicts sent back. */
  private claims(message: ClaimBatchMessage): void {
    if (this.finished) return;
    let counted: Uint8Array;
    try {
      counted = ClaimRecord.readEach(message, this.onClaim);
    } catch (err) {
      this.fail(err); // the sink threw
      return;
    }
    this.thread.post({ type: 'verdicts', object: this.id, counted });
  }

  readonly fail = (err: unknown): void => {
    if (this.finished) return;
    this.finish();
    this.thread.abort(this.id);
    this.settle.reject(err);
  };

  private readonly onData = (data: Buffer | string): void => {
    const chunk = this.thread.inputChunks.copyOf(typeof data === 'string' ? Buffer.from(data) : data);
    this.unacknowledged += chunk.length;
    this.thread.post({ type: 'bytes', object: this.id, chunk });
    if (this.unacknowledged > INPUT_WINDOW_BYTES && !this.paused) {
      this.paused = true;
      this.input.pause();
    }
  };

  private readonly onEnd = (): void => {
    this.inputEnded = true;
    this.thread.post({ type: 'end', object: this.id });
  };

  private readonly onClose = (): void => {
    if (!this.inputEnded) this.fail(new Error('input stream closed before its end'));
  };

  /** Detaches from the input; an unfinished input is destroyed, as decodeStream does. */
  private finish(): void {
    this.finished = true;
    this.reader.release(); // no batch is read once finished
    this.input.removeListener('data', this.onData);
    this.input.removeListener('end', this.onEnd);
    this.input.removeListener('error', this.fail);
    this.input.removeListener('close', this.onClose);
    this.input.on('error', ignore);
    if (!this.inputEnded) this.input.destroy();
  }
}

function ignore(): void {}
