import type { RunOutcome } from '../run/runJob';
import { createLogger, oneTextLine, type Logger } from '../support/logger';
import { Auth0UsageError, exitCodeOf, isExpectedError, type ExitCode } from '../support/errors';
import { redactSecrets } from '../support/errorText';

/** What a closing line may carry besides its text, as JSON fields. */
export interface EndLineFields {
  /** The stable `ERR_…` code of the error the line reports. */
  code?: string;
  /** The exit code the command ends with. */
  exit_code?: number;
  [field: string]: unknown;
}

/**
 * The lines the CLI writes on stderr beside a run's log: mostly those a command ends with (why it failed, what
 * waits in the spool, what a stopped run kept), and the variables it ignores as it starts. For
 * people, `auth0-usage: …`, one line each. Where run and merge log JSON (`--log-format json`, or stderr not a
 * terminal), a JSON line like their other log lines instead, with the error's `code` and the exit code: every line
 * a log shipper reads then parses, and an alert can match the code.
 */
export class EndLines {
  /**
   * `json`: the logger the lines go through as JSON, at info level at least (a closing line is shown whatever
   * --log-level says, as the plain one is); without it they are plain text on `stderr`. See EndLines.on().
   */
  private constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly json?: Logger,
  ) {}

  /**
   * The closing lines of a command on `stderr`: JSON lines when `json` (the run's `runId` on each, when it has
   * one), else plain. The JSON logger is the closing lines' own, at info level, not the run's.
   */
  static on(stderr: NodeJS.WritableStream, json: boolean, runId?: string): EndLines {
    if (!json) return new EndLines(stderr);
    const logger = createLogger({ format: 'json', stream: stderr });
    return new EndLines(stderr, runId === undefined ? logger : logger.child({ run_id: runId }));
  }

  error(text: string, fields: EndLineFields = {}): void {
    this.say('error', text, fields);
  }

  warn(text: string, fields: EndLineFields = {}): void {
    this.say('warn', text, fields);
  }

  info(text: string, fields: EndLineFields = {}): void {
    this.say('info', text, fields);
  }

  private say(level: 'error' | 'warn' | 'info', text: string, fields: EndLineFields): void {
    if (this.json) this.json[level](fields, text);
    else this.stderr.write(`auth0-usage: ${oneTextLine(text)}\n`);
  }

  /** A run that could not deliver everything (exit 3), the run event's own delivery included. */
  undelivered({ spooled, refused }: RunOutcome['undelivered'], exitCode: ExitCode): void {
    const parts: string[] = [];
    if (spooled > 0) parts.push(`${spooled} wait in the spool (this run's and earlier runs'), to be sent by the next run with the same --spool`);
    if (refused > 0) parts.push(`${refused} that HEC refused were set aside (see the warnings above)`);
    this.warn(`not every event was delivered: ${parts.join('; ')}`, { spooled, refused, exit_code: exitCode });
  }

  /** A --state run that failed or was stopped: what its checkpoints kept, and how to go on (`merge`: a merge's). */
  kept(state: string, { commits, objects }: RunOutcome['checkpoints'], merge = false): void {
    const text = merge
      ? `nothing of this merge was committed to ${state}: the shards' partials are kept for the next merge`
      : commits === 0
        ? `nothing of this run was committed to ${state}: the same command reads its objects again`
        : `kept: ${objects} object${objects === 1 ? '' : 's'} read and delivered at ${commits} checkpoint${commits === 1 ? '' : 's'}, committed to ${state}; ` +
          'run the same command again to read the rest';
    this.info(text, { state, commits, objects });
  }

  /** The error that stopped a command: its message and code; a defect (not raised on purpose) with its stack. */
  failure(err: unknown): void {
    const exit_code = exitCodeOf(err);
    if (isExpectedError(err)) return this.error(err.message, { code: err.code, exit_code });
    const stack = defectText(err);
    if (this.json) this.json.error({ exit_code, stack, ...(err instanceof Auth0UsageError ? { code: err.code } : {}) }, 'unexpected error');
    else this.stderr.write(`auth0-usage: unexpected error: ${stack}\n`);
  }
}

/** A defect's stack (or text) for the closing line. Its message may quote what it failed on (a server's answer, a
 *  header): redacted like every error text. */
export function defectText(err: unknown): string {
  return redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err));
}
