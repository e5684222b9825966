/**
 * `auth0-usage auth0-check`: can each configured tenant's statistics be read? One line per tenant; exit 0
 * when all can, 1 when one cannot, 2 for usage and config errors.
 */
import type { Argv } from 'yargs';
import { loadConfig } from '../config/loadConfig';
import type { Auth0TenantCheck } from '../auth0/auth0Check';
import type { Auth0StatsClientOptions } from '../auth0/auth0StatsClient';
import { AUTH0_CLIENT_SECRET_ENV, resolveAuth0Config, type Auth0Flags } from '../auth0/resolveAuth0Config';
import type { CliCommand } from './cliCommand';
import { type CliIo, printOutput } from './cliIo';
import { UsageError } from './usageError';

/** Refuses a secret on the command line (argv is visible to every user of the machine), without echoing it. */
function secretFromEnvironmentOnly(): never {
  throw new Error(`the Auth0 client secret is read from ${AUTH0_CLIENT_SECRET_ENV} (or the variable a tenant's clientSecretEnv names) only, never from a flag`);
}

/** The one-tenant flags, shared with `run` when it reads statistics. */
export const auth0CliOptions = {
  'auth0-domain': { type: 'string', describe: `Tenant domain HOST[:PORT], e.g. acme-prod.us.auth0.com; secret from ${AUTH0_CLIENT_SECRET_ENV}` },
  'auth0-client-id': { type: 'string', describe: 'Client id of an M2M application allowed read:stats on the Management API' },
  'auth0-tenant': { type: 'string', describe: 'Tenant name in the output [default: the first label of --auth0-domain]' },
  'auth0-client-secret': { type: 'string', hidden: true, coerce: secretFromEnvironmentOnly },
} as const;

export function auth0CheckOptions<T>(yargs: Argv<T>) {
  return yargs
    .options(auth0CliOptions)
    .option('config', { alias: 'c', type: 'string', describe: 'JSON file merged over config/default.json (auth0.tenants)' })
    .example(`${AUTH0_CLIENT_SECRET_ENV}=… $0 auth0-check --auth0-domain acme-prod.us.auth0.com --auth0-client-id ID`, 'Check one tenant')
    .example('ACME_PROD_AUTH0_SECRET=… $0 auth0-check --config usage.json', "Check every tenant of the config's auth0.tenants");
}

export type Auth0CheckArgs = Auth0Flags & { config?: string };

export function formatAuth0Checks(checks: readonly Auth0TenantCheck[]): string {
  const width = Math.max(...checks.map((c) => c.tenant.length));
  return checks
    .map((c) => `${(c.ok ? 'ok' : 'FAILED').padEnd(7)}${c.tenant.padEnd(width)}  ${c.domain}  ${c.ok ? c.detail : `${c.code}: ${c.detail}`}\n`)
    .join('');
}

export async function runAuth0Check(args: Auth0CheckArgs, io: CliIo, options: Auth0StatsClientOptions = {}): Promise<number> {
  const config = loadConfig(args.config);
  // An Auth0ConfigError (exit 2) says what is wrong with the flags or config.
  const settings = resolveAuth0Config(config, args, io.env);
  if (settings === undefined) {
    throw new UsageError('auth0-check needs --auth0-domain and --auth0-client-id, or auth0.tenants in the --config file');
  }
  // The SDK is loaded only by the commands that talk to Auth0.
  const { checkAuth0Tenants } = await import('../auth0/auth0Check');
  const checks = await checkAuth0Tenants(settings.tenants, options);
  await printOutput(io.stdout, formatAuth0Checks(checks));
  return checks.every((c) => c.ok) ? 0 : 1;
}

export const auth0CheckCommand: CliCommand<Auth0CheckArgs> = {
  command: 'auth0-check',
  describe: "Check that each Auth0 tenant's statistics can be read (token, read:stats, one stats call)",
  builder: (yargs) => auth0CheckOptions(yargs),
  run: (args, io) => runAuth0Check(args, io),
};
