/**
 * Which tenants to read statistics from: the config file's `auth0.tenants` (each secret from the variable
 * its `clientSecretEnv` names), or one tenant from --auth0-domain/--auth0-client-id/--auth0-tenant with
 * the secret in AUTH0_USAGE_AUTH0_CLIENT_SECRET. The flags, when given, replace the config's list.
 */
import { auth0DomainSchema, type UsageConfig } from '../config/schema';
import { Auth0ConfigError } from './auth0Errors';
import { Auth0Tenant } from './auth0Tenant';

export const AUTH0_CLIENT_SECRET_ENV = 'AUTH0_USAGE_AUTH0_CLIENT_SECRET';

export interface Auth0Flags {
  'auth0-domain'?: string;
  'auth0-client-id'?: string;
  'auth0-tenant'?: string;
}

export interface Auth0Settings {
  tenants: Auth0Tenant[];
  tolerancePercent: number;
  statsTimezone: string;
}

/** The tenant name a bare domain implies: its first label (`acme-prod.us.auth0.com` → `acme-prod`). */
export function tenantFromDomain(domain: string): string {
  return domain.replace(/:\d+$/, '').split('.')[0]!;
}

function secretFrom(env: NodeJS.ProcessEnv, name: string, tenant: string): string {
  // Surrounding whitespace is dropped, as for the HEC token: a secret read from a file (kubectl create secret
  // --from-file, a mounted file) usually ends in a line break, which is no part of it.
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    throw new Auth0ConfigError(`tenant ${tenant}: the client secret variable ${name} is not set`);
  }
  // A value with a line break or control character inside would end up in an HTTP form body; refuse it early.
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Auth0ConfigError(`tenant ${tenant}: ${name} contains control characters`);
  return value;
}

/** The tenants to query, or undefined when neither flags nor config name any. Throws Auth0ConfigError. */
export function resolveAuth0Config(config: Pick<UsageConfig, 'auth0'>, flags: Auth0Flags, env: NodeJS.ProcessEnv): Auth0Settings | undefined {
  const { tolerancePercent, statsTimezone } = config.auth0;
  const domain = flags['auth0-domain'];
  const clientId = flags['auth0-client-id'];
  if (domain === undefined) {
    const stray = clientId !== undefined ? 'auth0-client-id' : flags['auth0-tenant'] !== undefined ? 'auth0-tenant' : undefined;
    if (stray) throw new Auth0ConfigError(`--${stray} needs --auth0-domain`);
    if (config.auth0.tenants.length === 0) return undefined;
    const tenants = config.auth0.tenants.map(
      (t) => new Auth0Tenant(t.tenant, t.domain, t.clientId, t.clientSecretEnv, secretFrom(env, t.clientSecretEnv, t.tenant)),
    );
    return { tenants, tolerancePercent, statsTimezone };
  }
  const checked = auth0DomainSchema.safeParse(domain);
  if (domain.includes('@')) {
    // user:password@host: the value is not repeated, since what precedes the '@' may be a secret.
    throw new Auth0ConfigError(`--auth0-domain must not contain credentials (user:password@): give the client secret in ${AUTH0_CLIENT_SECRET_ENV}`);
  }
  if (!checked.success) throw new Auth0ConfigError(`--auth0-domain ${domain}: ${checked.error.issues[0]!.message}`);
  if (clientId === undefined || clientId.trim() === '') throw new Auth0ConfigError('--auth0-domain needs --auth0-client-id');
  const tenant = flags['auth0-tenant'] ?? tenantFromDomain(domain);
  if (tenant.trim() === '') throw new Auth0ConfigError('--auth0-tenant must not be empty');
  const secret = secretFrom(env, AUTH0_CLIENT_SECRET_ENV, tenant);
  return { tenants: [new Auth0Tenant(tenant, domain, clientId, AUTH0_CLIENT_SECRET_ENV, secret)], tolerancePercent, statsTimezone };
}
