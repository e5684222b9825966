import { Auth0UsageError } from '../support/errors';

/**
 * Which of a LogRecord's fields its reader uses. A summary reads a user id only for the types that count active
 * users, the client fields only for M2M types, and a log_id only as its hash; sending, decoding and holding the rest
 * is wasted work on every record. A decoder given this may leave out what is not read: such a field reads as "", and
 * a log_id sent as its hash alone throws when its text is asked for (LogIdNotSentError), rather than reading wrong.
 */
export interface RecordFieldsRead {
  /** Type codes whose `userId` is read. */
  readonly userIdTypes: readonly string[];
  /** Type codes whose `clientId`, `clientName` and `audience` are read. */
  readonly clientTypes: readonly string[];
  /** Whether `logId`'s text is read; false: only its hash (`logIdHi`/`logIdLo`). */
  readonly logIdText: boolean;
}

/** FieldsOfType masks: the record's user id, and its client fields, are read. */
export const USER_ID_FIELD = 1;
export const CLIENT_FIELDS = 2;
export const ALL_FIELDS = USER_ID_FIELD | CLIENT_FIELDS;

/** The optional fields read of each type, by its text. */
export class FieldsOfType {
  private readonly byType = new Map<string, number>();

  constructor(read: RecordFieldsRead) {
    for (const type of read.userIdTypes) this.byType.set(type, USER_ID_FIELD);
    for (const type of read.clientTypes) this.byType.set(type, (this.byType.get(type) ?? 0) | CLIENT_FIELDS);
  }

  /** The mask of the fields read for records of `type`: 0 for a type that none are read of. */
  of(type: string): number {
    return this.byType.get(type) ?? 0;
  }
}

/** Thrown when a record's log_id text is asked for and its decoder was told it would not be (a defect). */
export class LogIdNotSentError extends Auth0UsageError {
  static override readonly code: string = 'ERR_LOG_ID_NOT_SENT';
  static override readonly internal = true;
}
