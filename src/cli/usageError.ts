import { Auth0UsageError } from '../support/errors';

/** A command line that cannot run as given (bad flag value, unknown zone): exit 2 with a one-line message. */
export class UsageError extends Auth0UsageError {
  static override readonly code: string = 'ERR_USAGE';
  static override readonly exitCode: 1 | 2 = 2;
}
