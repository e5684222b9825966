/**
 * The run's count of the AWS SDK's own S3 retries, and its warn lines about them. No AWS SDK import: the CLI makes
 * one before it knows whether a client will be created.
 */

import type { Logger } from '../support/logger';
import type { S3RetriedRequest, S3RetryObserver } from './s3ClientOptions';

/** Retried requests logged one line each; past them, what is retried is summed up (see S3RetryLog). */
export const RETRIED_REQUESTS_LOGGED = 10;
/** The least time between two lines summing up retried requests. */
export const RETRY_SUMMARY_EVERY_MS = 60_000;

interface RetryTally {
  requests: number;
  retries: number;
  delayMs: number;
  /** Requests by the reason of their last retried attempt. */
  reasons: Record<string, number>;
}

/**
 * Counts the retries of every request reported to it (the run event's `s3_retries`) and says them at warn level:
 * the first RETRIED_REQUESTS_LOGGED requests one line each (operation, bucket, key or prefix, attempts, delay,
 * reason), the rest summed up in at most one line a RETRY_SUMMARY_EVERY_MS (written when a retry comes after that
 * long, and by flush() at the end of the run). A throttled bucket during a backfill can make the SDK retry most of
 * tens of thousands of reads: a line each would bury every other warning, where the first few lines show what is
 * retried and why, and the summing lines that it goes on and what it costs.
 */
export class S3RetryLog implements S3RetryObserver {
  readonly #log: Logger;
  readonly #now: () => number;
  #retries = 0;
  #logged = 0;
  #pending: RetryTally | undefined;
  #lastSummary = 0;

  constructor(log: Logger, options: { now?: () => number } = {}) {
    this.#log = log;
    this.#now = options.now ?? Date.now;
  }

  /** Retries of every request so far: its attempts after the first. */
  get retries(): number {
    return this.#retries;
  }

  retried(request: S3RetriedRequest): void {
    this.#retries += request.attempts - 1;
    if (this.#logged < RETRIED_REQUESTS_LOGGED) {
      this.#logged++;
      const last = this.#logged === RETRIED_REQUESTS_LOGGED;
      if (last) this.#lastSummary = this.#now();
      this.#log.warn(
        {
          operation: request.operation,
          bucket: request.bucket,
          ...(request.key === undefined ? {} : { key: request.key }),
          ...(request.prefix === undefined ? {} : { prefix: request.prefix }),
          attempts: request.attempts,
          retry_delay_ms: request.retryDelayMs,
          reason: request.reason,
          ...(request.failed ? { failed: true } : {}),
          ...(last ? { further: `requests retried after these ${RETRIED_REQUESTS_LOGGED} are summed up, at most one line a minute` } : {}),
        },
        'S3 request retried by the AWS SDK',
      );
      return;
    }
    const tally = (this.#pending ??= { requests: 0, retries: 0, delayMs: 0, reasons: {} });
    tally.requests++;
    tally.retries += request.attempts - 1;
    tally.delayMs += request.retryDelayMs;
    tally.reasons[request.reason] = (tally.reasons[request.reason] ?? 0) + 1;
    if (this.#now() - this.#lastSummary >= RETRY_SUMMARY_EVERY_MS) this.flush();
  }

  /** Writes the line summing up the retried requests not said yet, if any (at the end of the run). */
  flush(): void {
    const tally = this.#pending;
    if (tally === undefined) return;
    this.#pending = undefined;
    this.#lastSummary = this.#now();
    this.#log.warn(
      { requests_retried: tally.requests, retries: tally.retries, retry_delay_ms: tally.delayMs, reasons: tally.reasons, s3_retries: this.#retries },
      'S3 requests retried by the AWS SDK since the last such line',
    );
  }
}
