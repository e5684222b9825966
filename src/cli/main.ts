import yargs, { type Argv } from 'yargs';
import { Parser } from 'yargs/helpers';
import type { CliCommand } from './cliCommand';
import { printOutput, type CliIo } from './cliIo';
import { runCommand, runOptions, type RunArgs } from './runCommand';
import { UsageError, withCommandHelp } from './usageError';
import { mergeCommand, mergeOptions, type MergeArgs } from './mergeCommand';
import { exitCodeOf } from '../support/errors';
import { EndLines } from './endLines';
import { hecCheckCommand } from './hecCheckCommand';
import { declaredOptions, ENV_PREFIX, envForCommand, flagsOf } from './envOptions';
import { givenTwice } from './flagChecks';
import { hecConnectionCliOptions } from './hecOptions';
import { statusCommand } from './statusCommand';
import { auth0CheckCommand } from './auth0CheckCommand';
import { logFormatFor, type LogFormat } from '../support/logger';

const COMMANDS: readonly CliCommand[] = [
  {
    command: 'run',
    describe: 'Read archives, roll them up and write summary events',
    builder: runOptions,
    run: (args: RunArgs, io) => runCommand(args, io),
  },
  {
    command: 'merge',
    describe: 'Merge the partial results of a backfill run as shards (run --shard I/N), then deliver and commit as one run',
    builder: mergeOptions,
    run: (args: MergeArgs, io) => mergeCommand(args, io),
  },
  hecCheckCommand,
  statusCommand,
  auth0CheckCommand,
];

/** Turns an error into the exit code and the one line the user sees (see EndLines); stack traces only for defects. */
function report(err: unknown, io: CliIo, logsJson: boolean, command?: string): number {
  EndLines.on(io.stderr, logsJson).failure(command === undefined ? err : withCommandHelp(err, command));
  return exitCodeOf(err);
}

/**
 * The --log-format of a command line as written (`--log-format F`, `--log-format=F`, the last one given), for lines
 * written before or without yargs' parse (a usage error); undefined when not given or not a format.
 */
function logFormatIn(argv: readonly string[]): LogFormat | undefined {
  let format: string | undefined;
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const arg = argv[i]!;
    // yargs takes the camel-case spelling too.
    if (arg === '--log-format' || arg === '--logFormat') format = argv[i + 1];
    else if (arg.startsWith('--log-format=') || arg.startsWith('--logFormat=')) format = arg.slice(arg.indexOf('=') + 1);
  }
  return format === 'json' || format === 'text' ? format : undefined;
}

function asksForHelp(argv: string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h' || arg.startsWith('--help='));
}

/** Parses argv, runs the command and resolves with the process exit code. */
export async function main(argv: string[], given: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const io: CliIo = { ...given, env: { ...given.env } };
  let cli = yargs(argv)
    .scriptName('auth0-usage')
    .usage('$0 <command> [options]\n\nTurns exported Auth0 tenant log archives into daily, M2M and event-type usage summaries for Splunk.');
  for (const { command, describe, builder } of COMMANDS) cli = cli.command(command, describe, (y) => valuesRequired(builder(y)));
  cli = cli
    // Refuses --hec-token on the command line: the token comes from the environment only.
    .option('hec-token', hecConnectionCliOptions['hec-token'])
    .demandCommand(1, 'name a command, e.g. `auth0-usage run --input DIR`')
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    // Wrapping the help is most of its cost: done only when help is asked for.
    .wrap(asksForHelp(argv) ? Math.min(110, process.stdout.columns ?? 110) : null)
    .exitProcess(false)
    .fail((message, err) => {
      // Only the command line's own failures reach here (validation, a flag's coerce): commands run after parsing.
      // yargs checks required flags before unknown ones: `run --inptu x` said `Missing required argument: input`
      // of a flag the operator believes given. A misspelt flag is what to fix, so it is named first.
      const misspelt = message?.startsWith('Missing required argument') === true && declared ? unknownFlagsIn(argv, declared) : [];
      if (misspelt.length > 0) throw new UsageError(`${misspelt.length === 1 ? 'Unknown argument' : 'Unknown arguments'}: ${misspelt.join(', ')}`);
      // UsageError adds the hint to --help, as to every usage error.
      throw new UsageError(oneLine(withoutCamelCaseTwins(valueMissing(message ?? err?.message ?? ''))));
    });
  skipHelpRendering(cli);
  // The first word that names a command: flags may come before it (`--log-format json run …`), with their values.
  const named = COMMANDS.find((c) => c.command === argv.find((arg) => COMMANDS.some((k) => k.command === arg)));
  let logsJson = false;
  // Help shows the flags as they are, whatever the environment holds: a bad variable must not hide it.
  const declared = named && !asksForHelp(argv) ? flagsOf(named.builder) : undefined;
  let variables = new Map<string, string>();
  try {
    // Read off every command's builder only when a variable is not one of this command's flags.
    let all: ReturnType<typeof flagsOf>[] | undefined;
    const allCommands = () => (all ??= COMMANDS.map((c) => flagsOf(c.builder)));
    // run and merge log JSON lines with --log-format json, and by default when stderr is not a terminal: their
    // closing lines too, usage errors included (a bad variable's as well: known from the command line alone).
    const logsJsonWith = (format: LogFormat | undefined) => declared?.flags.has('log-format') === true && logFormatFor(io.stderr, format) === 'json';
    const argvFormat = logFormatIn(argv);
    // AUTH0_USAGE_LOG_FORMAT is read before the other variables: a bad one among them is said in that format too.
    const variableFormat = io.env[`${ENV_PREFIX}LOG_FORMAT`];
    logsJson = logsJsonWith(argvFormat ?? (variableFormat === 'json' || variableFormat === 'text' ? variableFormat : undefined));
    const fromVariables = declared ? envForCommand(io.env, declared, allCommands) : undefined;
    const { flags: fromEnv, unknown } = fromVariables ?? { flags: {} as Record<string, string>, unknown: [] };
    variables = fromVariables?.variables ?? variables;
    if (declared) io.namingVariables = (err) => withVariableNamed(err, argv, declared, variables);
    const envFormat = fromEnv['log-format'];
    logsJson = logsJsonWith(argvFormat ?? (envFormat === 'json' || envFormat === 'text' ? envFormat : undefined));
    let args: Awaited<ReturnType<typeof cli.parseAsync>>;
    // What yargs says of --help and --version, kept for io.stdout: its own console.log dropped a failed write
    // (`--help > /dev/full` exited 0 having written nothing).
    let said = '';
    try {
      if (declared) refuseEmptyNumbers(argv, declared);
      args = await cli.config(fromEnv).parseAsync(argv, {}, (_err, _argv, output) => {
        said = output;
      });
    } catch (err) {
      warnIgnored(unknown, logsJson, io);
      throw err;
    }
    // Parsed: yargs' reading of --log-format is the one the command's own lines follow.
    const parsedFormat = args['log-format'];
    if (parsedFormat === undefined || parsedFormat === 'json' || parsedFormat === 'text') logsJson = logsJsonWith(parsedFormat);
    warnIgnored(unknown, logsJson, io);
    io.logsJson?.(logsJson);
    // --help and --version: a stdout that cannot take the answer fails the command (exit 1, one line), as `status`'s
    // does; a reader gone (`--help | head -1`) is no failure. yargs also answers a last word `help` (`auth0-usage
    // help`, `auth0-usage run help`) without setting args.help: what it said is the answer then too, and the command
    // must not run (`run help` ran with no --input, a TypeError).
    if (args.help === true || args.version === true || said !== '') {
      await printOutput(io.stdout, `${said}\n`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.command === args._[0]);
    if (!command) throw new UsageError(`unknown command ${String(args._[0])}`);
    // No command takes words of its own: strict parsing refuses them, but not after `--`, where they were dropped.
    if (args._.length > 1) throw new UsageError(`Unknown argument after --: ${args._.slice(1).join(' ')}`);
    if (declared) refuseRepeatedFlags(args, declared);
    return await command.run(args, io);
  } catch (err) {
    return report(declared ? withVariableNamed(err, argv, declared, variables) : err, io, logsJson, named?.command);
  }
}

/**
 * A usage or config error about a flag that only an AUTH0_USAGE_* variable gave names the variable beside the flag
 * (`AUTH0_USAGE_CONCURRENCY (--concurrency) must be …`): a CronJob's command line does not show that flag, and
 * its operator would look for it there in vain. Other errors are returned as they are.
 */
function withVariableNamed(err: unknown, argv: string[], declared: ReturnType<typeof flagsOf>, variables: ReadonlyMap<string, string>): unknown {
  if (variables.size === 0 || !(err instanceof Error) || exitCodeOf(err) !== 2) return err;
  const alias: Record<string, string[]> = {};
  for (const [name, flag] of declared.names) (alias[flag] ??= []).push(name);
  const written = Parser(argv, { boolean: [...declared.booleans], array: [...declared.arrays], alias, configuration: { 'camel-case-expansion': false } });
  for (const [flag, variable] of variables) {
    if (written[flag] !== undefined) continue;
    // A boolean set false is said as its negation (`--no-decode-workers`).
    const mention = new RegExp(`(?<![\\w-])--(no-)?${flag}(?![\\w-])`);
    if (mention.test(err.message)) {
      err.message = err.message.replace(mention, (said) => `${variable} (${said})`);
      break;
    }
  }
  return err;
}

/**
 * yargs renders a command's whole help text before running it (`cacheHelpMessage`), in case the command prints it
 * later: for `run`'s fifty flags, 14-19 ms of CPU at every start here (much more under Jest), most of it measuring
 * text widths. This CLI never shows help once a command runs (--help is answered before, usage errors are one
 * line), so it is rendered only when asked for. Through yargs' internal methods: without them, it renders as before.
 */
function skipHelpRendering(cli: unknown): void {
  const usage = (cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * yargs makes a flag given twice an array, whatever its type: `--state a --state b` reached the command as an array
 * and failed there with a stack trace. Only flags declared as lists (--input, --include, …) may repeat.
 */
function refuseRepeatedFlags(args: Record<string, unknown>, declared: { flags: Set<string>; arrays: Set<string> }): void {
  for (const flag of declared.flags) {
    if (!declared.arrays.has(flag) && Array.isArray(args[flag])) throw new UsageError(givenTwice(`--${flag}`));
  }
}

/** The hidden flags that only refuse a secret on the command line: given alone, they still say why. */
const REFUSING_FLAGS = new Set(['hec-token', 'auth0-client-secret']);

/**
 * Every flag that takes a value needs one: without it yargs set a string flag to '' and a number flag to
 * undefined, and the run went on as if it were not given (`--from` at the end summarized every day, `--input`
 * alone read nothing and exited 0). Lists (--input, --include) then need at least one value.
 */
function valuesRequired(command: Argv): Argv {
  const options = declaredOptions(command);
  const taking = Object.keys(options.key).filter((flag) => !options.boolean.includes(flag) && !REFUSING_FLAGS.has(flag));
  return taking.length === 0 ? command : command.requiresArg(taking);
}

/**
 * A number flag given an empty value (`--concurrency ""`, `--concurrency=`, `--dedup-days "$DAYS"` with DAYS unset)
 * is refused as one given none is. yargs reads '' (and a blank) as 0, so the flag's check said 'got 0' of a value
 * never given, and `--decode-threads ""` ran on one thread. The command line is read here with its number flags as
 * text, the way yargs reads it (aliases, `--flag=`, lists), before yargs turns them into numbers. Named as declared
 * (an alias as its flag, as a flag given twice is); a flag with nothing after it is left to yargs, which says so.
 * An empty AUTH0_USAGE_<FLAG> never gets here: it counts as unset (envForCommand).
 */
function refuseEmptyNumbers(argv: string[], declared: ReturnType<typeof flagsOf>): void {
  // Only a blank word or one ending in `=` can give a flag an empty value: most command lines need no second parse.
  if (declared.numbers.size === 0 || !argv.some((arg) => arg.trim() === '' || arg.trim().endsWith('='))) return;
  const numbers = [...declared.numbers];
  const alias: Record<string, string[]> = {};
  for (const [name, flag] of declared.names) (alias[flag] ??= []).push(name);
  // yargs takes a flag's camel-case spelling too (`--checkpointObjects ""`); this parse knows it only when told.
  for (const flag of numbers) if (flag.includes('-')) (alias[flag] ??= []).push(flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
  const written = Parser(argv, {
    string: numbers,
    boolean: [...declared.booleans],
    array: [...declared.arrays],
    alias,
    narg: Object.fromEntries(numbers.map((flag) => [flag, 1])),
  });
  for (const flag of numbers) {
    if (declared.names.has(flag)) continue;
    const values: unknown[] = [written[flag]].flat();
    if (values.some((value) => typeof value === 'string' && value.trim() === '')) throw new UsageError(`--${flag} needs a value`);
  }
}

/** Flags every command takes besides its own (`--hec-token` only to refuse it). */
const GLOBAL_FLAGS = ['help', 'h', 'version', 'hec-token'];

/**
 * The flags on a command line that the command does not take, as yargs' strict check names them (`inptu`), in the
 * order given; words that are not flags, and anything after `--`, are left to the checks that handle them.
 */
function unknownFlagsIn(argv: string[], declared: ReturnType<typeof flagsOf>): string[] {
  const alias: Record<string, string[]> = {};
  for (const [name, flag] of declared.names) (alias[flag] ??= []).push(name);
  const written = Parser(argv, {
    boolean: [...declared.booleans, 'help', 'version'],
    array: [...declared.arrays],
    alias,
    configuration: { 'camel-case-expansion': false },
  });
  const known = new Set<string>(['_', '--', ...GLOBAL_FLAGS, ...declared.flags, ...declared.names.keys()]);
  const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  for (const name of [...known]) known.add(camel(name));
  return Object.keys(written).filter((key) => !known.has(key));
}

/** yargs says `Not enough arguments following: from` of a flag given without its value (named as written: `tz`, `i`). */
function valueMissing(message: string): string {
  const missing = /^Not enough arguments following: (.*)$/.exec(message);
  return missing ? `${missing[1]!.length === 1 ? '-' : '--'}${missing[1]} needs a value` : message;
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

/**
 * Some of yargs' messages run over lines (`Invalid values:` then the argument; a missing flag then its hint): the
 * operator's contract is one line, each with the `auth0-usage:` prefix.
 */
function oneLine(message: string): string {
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.reduce((joined, line) => (joined === '' ? line : `${joined}${joined.endsWith(':') ? ' ' : ': '}${line}`), '');
}

/**
 * The AUTH0_USAGE_* variables no command takes: a plain line, or where run and merge log JSON a JSON warn line like
 * their others, so that every log line parses.
 */
function warnIgnored(names: readonly string[], json: boolean, io: CliIo): void {
  if (names.length === 0) return;
  const lines = EndLines.on(io.stderr, json);
  for (const name of names) lines.warn(`ignoring ${name}: no command has such a flag`, { variable: name });
}
