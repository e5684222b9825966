import type { Argv } from 'yargs';
import type { CliIo } from './cliIo';

/**
 * One `auth0-usage` command: its flags and what it does. main() gives yargs only the name, text and flags, parses,
 * then calls `run` itself: yargs renders the whole help text after starting a handler it was given (to show it if
 * the handler fails), which was most of the CLI's parsing time on every run.
 */
export interface CliCommand<Args = any> {
  command: string;
  describe: string;
  builder(yargs: Argv): Argv;
  /** Resolves with the process exit code; usage errors are thrown as UsageError. */
  run(args: Args, io: CliIo): Promise<number>;
}
