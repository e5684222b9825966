import type { Readable } from 'node:stream';
import { Auth0UsageError } from '../support/errors';

/** One named byte stream to read: a local file or an S3 object. */
export interface InputObject {
  /** Where it comes from, as shown to users and in quarantine records: a path or an s3:// URL. */
  readonly name: string;
  /** Size in bytes when known before reading. */
  readonly size?: number;
  /** A change marker (ETag or mtime) for incremental runs. */
  readonly version?: string;
  /**
   * The archive objects this one stands for in the state's ledger: set on a shard's record file, whose records
   * came from them. Absent for an archive object, which stands for itself.
   */
  readonly standsFor?: ReadonlyArray<LedgerEntry>;
  /** Opens a fresh stream from the first byte; may be called again to retry a broken read. */
  open(): Promise<Readable>;
}

/**
 * What a state's ledger remembers of an object read. `readFor`: the days a --from/--to run read it for, when it held
 * records outside them (see objectIndex.ts, readDaysKey); absent when it was read for every day.
 */
export type LedgerEntry = Pick<InputObject, 'name' | 'size' | 'version'> & { readonly readFor?: string };

/** Where input objects come from. Listing is lazy so processing can start while it continues. */
export interface Source {
  /** The input as the user gave it (a path or s3:// URL). */
  readonly input: string;
  /**
   * list() holds the whole listing before it yields its first object (a local folder): taking all of it ahead of
   * reading costs nothing more. Otherwise (S3) the listing arrives page by page.
   */
  readonly listsWhole?: boolean;
  /** After list(): files or objects left out because another input of the run listed them first. */
  readonly listedByAnotherInput?: number;
  list(): AsyncIterable<InputObject>;
}

/** An input that cannot be read (missing path, permission, access denied). The message names it. */
export class InputError extends Auth0UsageError {
  static override readonly code: string = 'ERR_INPUT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A listed object that no longer exists when it is opened (deleted after the listing: a lifecycle rule, a clean-up
 * during a long backfill). A run passes over it with a warning; where an object must be there (a shard's record
 * file), it is an InputError as any other.
 */
export class InputGoneError extends InputError {}
