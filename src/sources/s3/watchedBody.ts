import { Readable, finished } from 'node:stream';
import { S3BodyError, S3StallError } from './s3Errors';
import { errnoCode } from '../../support/errnoCode';
import { SYSTEM_TIMERS, type WatchdogTimers } from './watchdogTimers';

export interface WatchOptions {
  /** `s3://bucket/key`, for error messages. */
  readonly name: string;
  /** Milliseconds without a byte, while the reader wants data, before the read counts as stalled. */
  readonly stallMs: number;
  /** The stall clock; the system's timers by default. */
  readonly timers?: WatchdogTimers;
}

/**
 * Wraps an SDK GetObject body so that:
 * - destroying the wrapper destroys the body, which frees its socket (an unread body holds one for good);
 * - a body that stops sending bytes fails with `S3StallError` (the SDK body can otherwise hang forever);
 * - a break part-way (reset, premature close) fails with `S3BodyError` instead of ending early or hanging.
 * The stall clock runs only while the reader is asking for data, so a slow consumer is not a stall.
 */
export class WatchedBody extends Readable {
  readonly #body: Readable;
  readonly #options: WatchOptions;
  readonly #timers: WatchdogTimers;
  #timer: unknown;
  #started = false;
  #ended = false;
  #bytes = 0;

  constructor(body: Readable, options: WatchOptions) {
    super({ highWaterMark: 1 << 20 });
    this.#body = body;
    this.#options = options;
    this.#timers = options.timers ?? SYSTEM_TIMERS;
  }

  /** Bytes received from S3 so far. */
  get bytesReceived(): number {
    return this.#bytes;
  }

  override _read(): void {
    if (!this.#started) this.#start();
    this.#arm();
    this.#body.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#disarm();
    if (!this.#body.destroyed) this.#body.destroy();
    callback(error);
  }

  #start(): void {
    this.#started = true;
    const body = this.#body;
    body.on('data', (chunk: Buffer) => {
      this.#bytes += chunk.length;
      this.#disarm();
      if (this.push(chunk)) this.#arm();
      else body.pause();
    });
    body.once('end', () => {
      this.#ended = true;
      this.#disarm();
      this.push(null);
    });
    finished(body, (err) => {
      if (this.#ended || this.destroyed) return;
      const cause = err ?? new Error('body closed before its end');
      this.destroy(
        new S3BodyError(`connection broke while reading ${this.#options.name} after ${this.#bytes} bytes: ${errnoCode(cause)}`, this.#options.name, {
          cause,
        }),
      );
    });
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#ended) return;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      const seconds = this.#options.stallMs / 1000;
      this.destroy(new S3StallError(`no data from ${this.#options.name} for ${seconds} s (after ${this.#bytes} bytes)`, this.#options.name));
    }, this.#options.stallMs);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
