import { Auth0UsageError } from '../support/errors';

/**
 * Stopping a run from outside (SIGTERM, Ctrl-C): the run is handed an AbortSignal, and what it is doing
 * when the signal fires decides what stopping means (see runJob).
 */

/** The run was stopped while it was still reading: nothing was summarized or delivered. */
export class RunStopped extends Auth0UsageError {
  static override readonly code: string = 'ERR_RUN_STOPPED';
}

/** What stopped the run, for messages ("stopped by SIGTERM"): the reason's message when it is an Error. */
export function stopReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.message !== '') return reason.message;
  return typeof reason === 'string' && reason !== '' ? reason : 'stopped';
}

/**
 * Lets every read in flight react to the run's signal through one listener (an EventTarget warns past ten
 * listeners, and --concurrency may be higher than that).
 */
export class ReadStopper {
  readonly #signal: AbortSignal | undefined;
  readonly #reactions = new Set<() => void>();
  readonly #onAbort = () => {
    for (const react of [...this.#reactions]) react();
  };

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get stopped(): boolean {
    return this.#signal?.aborted === true;
  }

  /** The error a read stopped by the signal fails with. */
  error(): Error {
    return new RunStopped(this.#signal ? stopReason(this.#signal) : 'stopped');
  }

  /** Calls `react` when the signal fires (at once if it has), until the returned function is called. */
  watch(react: () => void): () => void {
    if (this.stopped) {
      react();
      return () => undefined;
    }
    this.#reactions.add(react);
    return () => this.#reactions.delete(react);
  }

  /**
   * `opening`, unless the signal fires first: then it rejects at once, and whatever `opening` yields later
   * is handed to `discard` (a stream that opens after the stop must still be closed).
   */
  unlessStopped<T>(opening: Promise<T>, discard: (late: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let stopped = false;
      const unwatch = this.watch(() => {
        stopped = true;
        reject(this.error());
      });
      opening.then(
        (value) => {
          unwatch();
          if (stopped) discard(value);
          else resolve(value);
        },
        (err: unknown) => {
          unwatch();
          reject(err);
        },
      );
    });
  }

  dispose(): void {
    this.#reactions.clear();
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}
