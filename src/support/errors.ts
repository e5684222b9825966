/**
 * The one error model. Every error the job raises on purpose is an Auth0UsageError: a stable `code` that
 * scripts and log searches can rely on, and the exit code the CLI ends with when that error stops a command.
 * Each class states both once, as statics; exitCodeOf() is the only place that turns an error into an exit code.
 */

/** What the process exits with: the operator's contract (README "Exit codes"). */
export type ExitCode = 0 | 1 | 2 | 3;

export class Auth0UsageError extends Error {
  /** Stable identifier (`ERR_…`); never reworded once released. */
  static readonly code: string = 'ERR_AUTH0_USAGE';
  /** 1: the run failed (environment, input, delivery); 2: the command or its config is wrong, nothing was read. */
  static readonly exitCode: 1 | 2 = 1;
  /**
   * A broken invariant of the job itself rather than a condition of its input or environment: the CLI reports it
   * with its stack, as a defect.
   */
  static readonly internal: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  get code(): string {
    return (this.constructor as typeof Auth0UsageError).code;
  }

  get exitCode(): 1 | 2 {
    return (this.constructor as typeof Auth0UsageError).exitCode;
  }

  get internal(): boolean {
    return (this.constructor as typeof Auth0UsageError).internal;
  }
}

/** The exit code of a command that this error stopped: its class's, or 1 for anything the job did not raise. */
export function exitCodeOf(err: unknown): 1 | 2 {
  return err instanceof Auth0UsageError ? err.exitCode : 1;
}

/** Whether the error is worth one line to the operator (true) or is a defect to report with its stack (false). */
export function isExpectedError(err: unknown): err is Auth0UsageError {
  return err instanceof Auth0UsageError && !err.internal;
}
