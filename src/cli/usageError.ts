/** A command line that cannot run as given (bad flag value, unknown zone): exit 2 with a one-line message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
