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

/** Read errors that say the file is not there as a file: the state itself is damaged. */
const DAMAGE_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP']);

/**
 * A state file that could not be read. Missing, or not a file, is damage (restore or rebuild); anything else
 * (EACCES, EMFILE, EIO) is I/O the next run may not meet, and the advice to rebuild a state would be wrong for it.
 */
export function stateReadFailure(location: string, file: string, error: unknown): StateError | StateIoError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && DAMAGE_CODES.has(code)) return stateDamaged(`the state ${location} is incomplete: ${file}: ${code}`, { cause: error });
  return new StateIoError(`cannot read ${file} of the state ${location}: ${code ?? (error as Error)?.message ?? String(error)}`, { cause: error });
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
