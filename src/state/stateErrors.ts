import { Auth0UsageError } from '../support/errors';

/**
 * State that cannot be used as it is: not JSON, not ours, from a newer version, built with another time zone or
 * classification, or missing a file its manifest names. The CLI exits 2 and nothing is written to the state (found
 * while the summaries are built, the days before it have been delivered).
 */
export class StateError extends Auth0UsageError {
  static override readonly code: string = 'ERR_STATE';
  static override readonly exitCode: 1 | 2 = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A state whose files are damaged or missing (a disk fault, a hand edit, a sync that copied part of it): no run can
 * use it until it is put back, and the line says how.
 */
export function stateDamaged(message: string, options?: { cause?: unknown }): StateError {
  return new StateError(`${message}: restore the state from a backup, or build a new state with a backfill`, options);
}

/** Another run holds the state's lock (or took it over while this run was working). */
export class StateLockedError extends Auth0UsageError {
  static override readonly code: string = 'ERR_STATE_LOCKED';
}

/** Reading or writing the state failed (I/O, S3): the run's figures are not committed; a rerun repeats them. */
export class StateIoError extends Auth0UsageError {
  static override readonly code: string = 'ERR_STATE_IO';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
