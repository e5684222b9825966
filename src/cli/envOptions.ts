import yargs, { type Argv } from 'yargs';
import { UsageError } from './usageError';
import { AUTH0_CLIENT_SECRET_ENV } from '../auth0/resolveAuth0Config';
import { HEC_TOKEN_ENV_VARS } from '../sinks/hec/hecToken';

/** Flags can also come from AUTH0_USAGE_<FLAG> variables (yargs' `.env()`), for cron and Kubernetes. */
export const ENV_PREFIX = 'AUTH0_USAGE_';

/**
 * Variables with the prefix that are not taken as flags: the HEC sink reads the token and `auth0-check` the client
 * secret from the environment themselves,
 * and --help / --version from the environment would turn a scheduled run into printing help and exiting 0.
 */
const NOT_FLAGS = new Set([...HEC_TOKEN_ENV_VARS, AUTH0_CLIENT_SECRET_ENV, `${ENV_PREFIX}HELP`, `${ENV_PREFIX}VERSION`]);

/** What a command's builder declared: its flags (`key`), which of them are booleans, numbers and lists, and aliases. */
export interface DeclaredOptions {
  key: Record<string, unknown>;
  boolean: string[];
  number: string[];
  array: string[];
  alias: Record<string, string[]>;
}

/** The options declared on `command` so far. */
export function declaredOptions(command: Argv): DeclaredOptions {
  // getOptions() is public in yargs 17 but missing from its type declarations.
  return (command as unknown as { getOptions(): DeclaredOptions }).getOptions();
}

/**
 * The flags a command accepts (aliases included), read off its yargs builder; `names` maps each alias to its flag
 * (`tz` → `timezone`).
 */
export function flagsOf(builder: (y: Argv) => Argv): {
  flags: Set<string>;
  booleans: Set<string>;
  numbers: Set<string>;
  arrays: Set<string>;
  names: Map<string, string>;
} {
  const options = declaredOptions(builder(yargs([])));
  const names = new Map<string, string>();
  for (const [flag, aliases] of Object.entries(options.alias)) for (const alias of aliases) names.set(alias, flag);
  return { flags: new Set(Object.keys(options.key)), booleans: new Set(options.boolean), numbers: new Set(options.number), arrays: new Set(options.array), names };
}

const toFlag = (suffix: string) => suffix.toLowerCase().replace(/_/g, '-');

type CommandFlags = { flags: Set<string>; booleans: Set<string>; numbers?: Set<string>; names: Map<string, string> };

/** What a boolean variable may say: yargs alone takes anything but `true` as false, silently. */
const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

function booleanValue(name: string, value: string, negated: boolean): 'true' | 'false' {
  const text = value.trim();
  if (TRUE.test(text)) return negated ? 'false' : 'true';
  if (FALSE.test(text)) return negated ? 'true' : 'false';
  throw new UsageError(`${name} must be true or false (or 1/0, yes/no, on/off), got '${value}'`);
}

/** The flag an AUTH0_USAGE_* variable sets for `command`, and whether it is the `NO_<FLAG>` form; undefined if none. */
function flagOf(name: string, command: CommandFlags): { flag: string; negated: boolean } | undefined {
  const flag = toFlag(name.slice(ENV_PREFIX.length));
  if (command.flags.has(flag)) return { flag, negated: false };
  if (flag.startsWith('no-') && command.booleans.has(flag.slice(3))) return { flag: flag.slice(3), negated: true };
  return undefined;
}

/**
 * The flag values the AUTH0_USAGE_* variables give one command: its own flags, booleans spelled `true`/`false`
 * (`NO_<FLAG>` read as `<FLAG>=false`). Variables of the other commands are left out quietly, because strict
 * parsing would otherwise stop a run over a variable meant for another command (a CronJob often shares one
 * environment between `run`, `status` and `hec-check`); `unknown` lists those no command takes (a typo), and
 * `variables` the variable that set each flag.
 * The values reach yargs as a config object: flags on the command line win over them, and they over defaults.
 */
export function envForCommand(
  env: NodeJS.ProcessEnv,
  command: CommandFlags,
  allCommands: () => readonly CommandFlags[] = () => [command],
): { flags: Record<string, string>; unknown: string[]; variables: Map<string, string> } {
  const flags: Record<string, string> = {};
  const unknown: string[] = [];
  // Two variables for one flag (AUTH0_USAGE_TZ and AUTH0_USAGE_TIMEZONE): yargs would keep one of them silently.
  const setBy = new Map<string, { name: string; value: string }>();
  const set = (name: string, flag: string, value: string): void => {
    const canonical = command.names.get(flag) ?? flag;
    const earlier = setBy.get(canonical);
    if (earlier !== undefined && earlier.value !== value) {
      throw new UsageError(`${earlier.name} and ${name} both set --${canonical}, to different values: set one of them`);
    }
    setBy.set(canonical, { name, value });
    flags[flag] = value;
  };
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || NOT_FLAGS.has(name)) continue;
    const own = flagOf(name, command);
    if (own === undefined) {
      if (!allCommands().some((other) => flagOf(name, other) !== undefined)) unknown.push(name);
    } else if (command.booleans.has(own.flag)) {
      // Templated environments (Kubernetes, cron) often set a variable empty to mean "not set".
      if (value.trim() !== '') set(name, own.flag, booleanValue(name, value, own.negated));
    } else if (command.numbers?.has(own.flag) === true && value.trim() === '') {
      // The same for a number: yargs read '' as 0 and the flag's check said 'got 0' of a variable left empty.
    } else {
      set(name, own.flag, value);
    }
  }
  // Which variable set each flag (by its declared name), for messages about a value no command line shows; one
  // left empty counts as none given, and is not named.
  const variables = new Map([...setBy].filter(([, { value }]) => value.trim() !== '').map(([flag, { name }]) => [flag, name]));
  return { flags, unknown, variables };
}
