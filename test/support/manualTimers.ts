import type { WatchdogTimers } from '../../src/sources/s3/watchdogTimers';

/** Watchdog timers that fire only when the test says so: a stall is the test's decision, not the machine's speed. */
export class ManualTimers implements WatchdogTimers {
  readonly #pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 1;

  set(callback: () => void, ms: number): unknown {
    const handle = this.#next++;
    this.#pending.set(handle, { callback, ms });
    return handle;
  }

  clear(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  /** Timers armed and not yet cleared or fired. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Fires every pending timer, as if its time had passed. */
  fireAll(): void {
    const due = [...this.#pending.values()];
    this.#pending.clear();
    for (const { callback } of due) callback();
  }
}
