import yargs, { type Argv } from 'yargs';
import type { CliIo } from './cliIo';
import { runCommand, runOptions, type RunArgs } from './runCommand';
import { UsageError } from './usageError';
import { mergeCommand, mergeOptions, type MergeArgs } from './mergeCommand';
import { exitCodeOf, isExpectedError } from '../support/errors';
import { createHecCheckCommand, hecCheckOptions } from './hecCheckCommand';
import { envForCommand, flagsOf } from './envOptions';
import { hecConnectionCliOptions } from './hecOptions';
import { createStatusCommand, statusOptions } from './statusCommand';
import { auth0CheckOptions, createAuth0CheckCommand } from './auth0CheckCommand';

/** Each command's option builder, to tell which AUTH0_USAGE_* variables are its flags. */
const COMMAND_BUILDERS: Record<string, (y: Argv) => Argv> = {
  run: (y) => runOptions(y) as unknown as Argv,
  'hec-check': (y) => hecCheckOptions(y) as unknown as Argv,
  status: (y) => statusOptions(y) as unknown as Argv,
  'auth0-check': (y) => auth0CheckOptions(y) as unknown as Argv,
  merge: (y) => mergeOptions(y) as unknown as Argv,
};

/** Turns an error into the exit code and the one line the user sees; stack traces only for defects. */
function report(err: unknown, io: CliIo): number {
  if (isExpectedError(err)) io.stderr.write(`auth0-usage: ${err.message}\n`);
  else io.stderr.write(`auth0-usage: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return exitCodeOf(err);
}

function asksForHelp(argv: string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h' || arg.startsWith('--help='));
}

/** Parses argv, runs the command and resolves with the process exit code. */
export async function main(argv: string[], given: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const io: CliIo = { ...given, env: { ...given.env } };
  let exitCode = 0;
  let handlerStarted = false;
  const cli = yargs(argv)
    .scriptName('auth0-usage')
    .usage('$0 <command> [options]\n\nTurns exported Auth0 tenant log archives into daily, M2M and event-type usage summaries for Splunk.')
    .command(
      'run',
      'Read archives, roll them up and write summary events',
      (y) => runOptions(y),
      async (args) => {
        handlerStarted = true;
        exitCode = await runCommand(args as unknown as RunArgs, io);
      },
    )
    .command(
      'merge',
      'Merge the partial results of a backfill run as shards (run --shard I/N), then deliver and commit as one run',
      (y) => mergeOptions(y),
      async (args) => {
        handlerStarted = true;
        exitCode = await mergeCommand(args as unknown as MergeArgs, io);
      },
    )
    .command(createHecCheckCommand(io, (code) => {
      handlerStarted = true;
      exitCode = code;
    }))
    .command(createStatusCommand(io, (code) => {
      handlerStarted = true;
      exitCode = code;
    }))
    .command(createAuth0CheckCommand(io, (code) => {
      handlerStarted = true;
      exitCode = code;
    }))
    // Refuses --hec-token on the command line: the token comes from the environment only.
    .option('hec-token', hecConnectionCliOptions['hec-token'])
    .demandCommand(1, 'name a command, e.g. `auth0-usage run --input DIR`')
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    // yargs renders the whole help before every command's handler runs (to cache it), and wrapping it is most of
    // that cost (22 -> 13 ms of CPU a parse): wrapped only when help is asked for.
    .wrap(asksForHelp(argv) ? Math.min(110, process.stdout.columns ?? 110) : null)
    .exitProcess(false)
    .fail((message, err) => {
      // Failures before the handler are the command line's (validation, a flag's coerce); throwing stops yargs
      // before any handler runs. Errors from inside a handler pass through unchanged.
      if (handlerStarted && err) throw err;
      throw new UsageError(`${withoutCamelCaseTwins(message ?? err?.message ?? '')} (see auth0-usage --help)`);
    });
  const builder = COMMAND_BUILDERS[argv.find((arg) => !arg.startsWith('-')) ?? ''];
  try {
    // Read off every command's builder only when a variable is not one of this command's flags.
    let all: ReturnType<typeof flagsOf>[] | undefined;
    const allCommands = () => (all ??= Object.values(COMMAND_BUILDERS).map(flagsOf));
    const { flags: fromEnv, unknown } = builder ? envForCommand(io.env, flagsOf(builder), allCommands) : { flags: {}, unknown: [] };
    for (const name of unknown) io.stderr.write(`auth0-usage: ignoring ${name}: no command has such a flag\n`);
    await cli.config(fromEnv).parseAsync();
  } catch (err) {
    return report(err, io);
  }
  return exitCode;
}

/** yargs lists an unknown `--bogus-flag` twice, as `bogus-flag, bogusFlag`; one is enough. */
function withoutCamelCaseTwins(message: string): string {
  const match = /^(Unknown arguments?): (.*)$/.exec(message);
  if (!match) return message;
  const names = match[2]!.split(', ');
  const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const kept = names.filter((name) => !names.some((other) => other !== name && camel(other) === name));
  return `${kept.length === 1 ? 'Unknown argument' : 'Unknown arguments'}: ${kept.join(', ')}`;
}
