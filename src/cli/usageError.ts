import { Auth0UsageError } from '../support/errors';

/** What every usage error's line ends with: the command line is what to fix, and --help lists what it takes. */
export const SEE_HELP = '(see auth0-usage --help)';

/**
 * A command line that cannot run as given (bad flag value, unknown zone): exit 2 with a one-line message. Every such
 * message ends with SEE_HELP, added here rather than by each message (a message that has it already keeps one).
 */
export class UsageError extends Auth0UsageError {
  static override readonly code: string = 'ERR_USAGE';
  static override readonly exitCode: 1 | 2 = 2;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message.endsWith(SEE_HELP) ? message : `${message} ${SEE_HELP}`, options);
  }
}

/**
 * The hint of a usage error made to name the command's own help (`auth0-usage run --help`), which lists its flags;
 * the plain `auth0-usage --help` lists only the commands. Other errors are returned as they are.
 */
export function withCommandHelp(err: unknown, command: string): unknown {
  if (err instanceof UsageError && err.message.endsWith(SEE_HELP)) err.message = `${err.message.slice(0, -SEE_HELP.length)}(see auth0-usage ${command} --help)`;
  return err;
}
