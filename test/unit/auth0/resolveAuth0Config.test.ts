import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/loadConfig';
import { configSchema } from '../../../src/config/schema';
import { Auth0ConfigError } from '../../../src/auth0/auth0Errors';
import { resolveAuth0Config, tenantFromDomain } from '../../../src/auth0/resolveAuth0Config';

function withConfigFile<T>(content: unknown, use: (file: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-config-'));
  try {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(content));
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TWO_TENANTS = {
  auth0: {
    tenants: [
      { tenant: 'acme-prod', domain: 'acme-prod.us.auth0.com', clientId: 'id-prod', clientSecretEnv: 'ACME_PROD_AUTH0_SECRET' },
      { tenant: 'acme-dev', domain: 'acme-dev.eu.auth0.com:8443', clientId: 'id-dev', clientSecretEnv: 'ACME_DEV_AUTH0_SECRET' },
    ],
    tolerancePercent: 5,
  },
};

function error(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('config auth0 section', () => {
  test('defaults: no tenants, 2 % tolerance, UTC', () => {
    expect(loadConfig().auth0).toEqual({ tenants: [], tolerancePercent: 2, statsTimezone: 'UTC' });
  });

  test('a clientSecret key is refused with what to do instead', () => {
    const content = { auth0: { tenants: [{ ...TWO_TENANTS.auth0.tenants[0], clientSecret: 'oops' }] } };
    const err = withConfigFile(content, (file) => error(() => loadConfig(file)));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/: auth0\.tenants\.0\.clientSecret: a client secret is never read from the config file: put it in an environment variable and name that variable in clientSecretEnv$/);
    expect(err.message).not.toContain('oops');
  });

  test('a clientSecret in place of clientSecretEnv: the message says what to do, not that clientSecretEnv is missing', () => {
    const { clientSecretEnv: _named, ...tenant } = TWO_TENANTS.auth0.tenants[0]!;
    const err = withConfigFile({ auth0: { tenants: [{ ...tenant, clientSecret: 'oops' }] } }, (file) => error(() => loadConfig(file)));
    expect(err.message).toMatch(/: auth0\.tenants\.0\.clientSecret: a client secret is never read from the config file: put it in an environment variable and name that variable in clientSecretEnv$/);
  });

  test.each([
    [{ tenants: [{ ...TWO_TENANTS.auth0.tenants[0], domain: 'https://acme.auth0.com' }] }, 'auth0.tenants.0.domain'],
    [{ tenants: [{ ...TWO_TENANTS.auth0.tenants[0], clientSecretEnv: 'not a name' }] }, 'auth0.tenants.0.clientSecretEnv'],
    [{ tenants: [TWO_TENANTS.auth0.tenants[0], TWO_TENANTS.auth0.tenants[0]] }, 'auth0.tenants'],
    [{ tolerancePercent: -1 }, 'auth0.tolerancePercent'],
    [{ statsTimezone: 'Mars/Olympus' }, 'auth0.statsTimezone'],
  ])('rejects %j at %s', (auth0, field) => {
    const result = configSchema.safeParse({ ...loadConfig(), auth0 });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path.join('.')).toBe(field);
  });
});

describe('resolveAuth0Config', () => {
  const config = withConfigFile(TWO_TENANTS, (file) => loadConfig(file));
  const env = { ACME_PROD_AUTH0_SECRET: 'prod-secret', ACME_DEV_AUTH0_SECRET: 'dev-secret' };

  test('nothing configured: undefined', () => {
    expect(resolveAuth0Config(loadConfig(), {}, {})).toBeUndefined();
  });

  test("config tenants, each with the secret from the variable it names", () => {
    const settings = resolveAuth0Config(config, {}, env)!;
    expect(settings.tolerancePercent).toBe(5);
    expect(settings.statsTimezone).toBe('UTC');
    expect(settings.tenants.map((t) => [t.tenant, t.domain, t.clientId, t.clientSecretEnv, t.clientSecret()])).toEqual([
      ['acme-prod', 'acme-prod.us.auth0.com', 'id-prod', 'ACME_PROD_AUTH0_SECRET', 'prod-secret'],
      ['acme-dev', 'acme-dev.eu.auth0.com:8443', 'id-dev', 'ACME_DEV_AUTH0_SECRET', 'dev-secret'],
    ]);
  });

  test('a secret from a file that ends in a line break (kubectl create secret --from-file keeps it) is read without it', () => {
    const settings = resolveAuth0Config(config, { 'auth0-domain': 'beta.eu.auth0.com', 'auth0-client-id': 'id-beta' }, { AUTH0_USAGE_AUTH0_CLIENT_SECRET: 's3cr3t-value\n' })!;
    expect(settings.tenants[0]!.clientSecret()).toBe('s3cr3t-value');
    const fromConfig = resolveAuth0Config(config, {}, { ACME_PROD_AUTH0_SECRET: 'prod-secret\r\n', ACME_DEV_AUTH0_SECRET: 'dev-secret\n' })!;
    expect(fromConfig.tenants.map((t) => t.clientSecret())).toEqual(['prod-secret', 'dev-secret']);
  });

  test('a tenant whose secret variable is unset is a config error naming the variable', () => {
    const err = error(() => resolveAuth0Config(config, {}, { ACME_PROD_AUTH0_SECRET: 'prod-secret', ACME_DEV_AUTH0_SECRET: ' ' }));
    expect(err).toBeInstanceOf(Auth0ConfigError);
    expect(err.message).toBe('tenant acme-dev: the client secret variable ACME_DEV_AUTH0_SECRET is not set');
  });

  test('the one-tenant flags replace the config list; the tenant defaults to the first label of the domain', () => {
    const settings = resolveAuth0Config(config, { 'auth0-domain': 'beta.eu.auth0.com', 'auth0-client-id': 'id-beta' }, { AUTH0_USAGE_AUTH0_CLIENT_SECRET: 's3' })!;
    expect(settings.tenants.map((t) => [t.tenant, t.domain, t.clientId, t.clientSecretEnv, t.clientSecret()])).toEqual([
      ['beta', 'beta.eu.auth0.com', 'id-beta', 'AUTH0_USAGE_AUTH0_CLIENT_SECRET', 's3'],
    ]);
    const named = resolveAuth0Config(config, { 'auth0-domain': 'localhost:8443', 'auth0-client-id': 'id', 'auth0-tenant': 'staging' }, { AUTH0_USAGE_AUTH0_CLIENT_SECRET: 's3' })!;
    expect(named.tenants[0]!.tenant).toBe('staging');
    expect(tenantFromDomain('localhost:8443')).toBe('localhost');
  });

  test.each([
    [{ 'auth0-client-id': 'id' }, {}, '--auth0-client-id needs --auth0-domain'],
    [{ 'auth0-tenant': 'x' }, {}, '--auth0-tenant needs --auth0-domain'],
    [{ 'auth0-domain': 'acme.auth0.com' }, { AUTH0_USAGE_AUTH0_CLIENT_SECRET: 's' }, '--auth0-domain needs --auth0-client-id'],
    [{ 'auth0-domain': 'acme.auth0.com', 'auth0-client-id': 'id' }, {}, 'tenant acme: the client secret variable AUTH0_USAGE_AUTH0_CLIENT_SECRET is not set'],
    [{ 'auth0-domain': 'acme.auth0.com/api', 'auth0-client-id': 'id' }, {}, '--auth0-domain acme.auth0.com/api: must be a host name with an optional :PORT, e.g. acme-prod.us.auth0.com'],
    [{ 'auth0-domain': 'user:pa55word@acme.auth0.com', 'auth0-client-id': 'id' }, {}, '--auth0-domain must not contain credentials (user:password@): give the client secret in AUTH0_USAGE_AUTH0_CLIENT_SECRET'],
    [{ 'auth0-domain': 'acme.auth0.com', 'auth0-client-id': 'id' }, { AUTH0_USAGE_AUTH0_CLIENT_SECRET: 'a\nb' }, 'tenant acme: AUTH0_USAGE_AUTH0_CLIENT_SECRET contains control characters'],
  ])('flags %j with %j: %s', (flags, flagEnv, message) => {
    const err = error(() => resolveAuth0Config(loadConfig(), flags, flagEnv));
    expect(err).toBeInstanceOf(Auth0ConfigError);
    expect(err.message).toBe(message);
    expect((err as Auth0ConfigError).code).toBe('ERR_AUTH0_CONFIG');
  });
});
