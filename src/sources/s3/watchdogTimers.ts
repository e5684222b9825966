/**
 * The clock of the S3 stall watchdogs (a body that stops sending, a listing page that does not come). The
 * system's timers by default; tests pass their own, so that a stall is decided by the test, never by real time.
 */
export interface WatchdogTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const SYSTEM_TIMERS: WatchdogTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
