import yargs, { type Argv } from 'yargs';

/** Flags can also come from AUTH0_USAGE_<FLAG> variables (yargs' `.env()`), for cron and Kubernetes. */
export const ENV_PREFIX = 'AUTH0_USAGE_';

/** Variables with the prefix that are not flags: the HEC sink reads the token from the environment itself. */
const NOT_FLAGS = new Set(['AUTH0_USAGE_HEC_TOKEN']);

/** The flags a command accepts (aliases included), read off its yargs builder. */
export function flagsOf(builder: (y: Argv) => Argv): { flags: Set<string>; booleans: Set<string> } {
  // getOptions() is public in yargs 17 but missing from its type declarations.
  const scratch = builder(yargs([])) as unknown as { getOptions(): { key: Record<string, unknown>; boolean: string[] } };
  const options = scratch.getOptions();
  return { flags: new Set(Object.keys(options.key)), booleans: new Set(options.boolean) };
}

const toFlag = (suffix: string) => suffix.toLowerCase().replace(/_/g, '-');

/**
 * The AUTH0_USAGE_* variables yargs should see for one command: its own flags, with `NO_<FLAG>` for a boolean
 * read as `<FLAG>=false`. Others are left out and reported, because strict parsing would otherwise stop a run
 * over a variable meant for another command (a CronJob often shares one environment between `run` and
 * `hec-check`).
 */
export function envForCommand(
  env: NodeJS.ProcessEnv,
  command: { flags: Set<string>; booleans: Set<string> },
): { env: Record<string, string>; ignored: string[] } {
  const kept: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || NOT_FLAGS.has(name)) continue;
    const flag = toFlag(name.slice(ENV_PREFIX.length));
    if (command.flags.has(flag)) kept[name] = value;
    else if (flag.startsWith('no-') && command.booleans.has(flag.slice(3))) {
      const negated = /^(1|true|yes)$/i.test(value) ? 'false' : /^(0|false|no)$/i.test(value) ? 'true' : value;
      kept[`${ENV_PREFIX}${name.slice(ENV_PREFIX.length + 3)}`] = negated;
    } else ignored.push(name);
  }
  return { env: kept, ignored };
}

/** Runs `parse` while process.env holds only `visible` of the AUTH0_USAGE_* variables (yargs reads process.env). */
export async function withPrefixedEnv<T>(visible: Record<string, string>, parse: () => Promise<T>): Promise<T> {
  const saved: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith(ENV_PREFIX) && value !== undefined) {
      saved[name] = value;
      delete process.env[name];
    }
  }
  Object.assign(process.env, visible);
  try {
    return await parse();
  } finally {
    for (const name of Object.keys(process.env)) if (name.startsWith(ENV_PREFIX)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}
