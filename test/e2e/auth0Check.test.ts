import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCli, type SpawnedCliResult as Result } from '../support/cliRunner';
import { selfSignedCertificate, type TestCertificate } from '../support/hecCertificate';
import { startFakeAuth0Tenant, type FakeAuth0Tenant } from '../support/fakeAuth0Tenant';

// The built binary in a child process, trusting the fake tenants' certificate through NODE_EXTRA_CA_CERTS.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

const PROD_SECRET = 'prod-Secret-4b1f9e2a77';
const DEV_SECRET = 'dev-Secret-c0ffee1234';
const SECRETS = [PROD_SECRET, DEV_SECRET, 'wrong-Secret-0dd5'];

/** The built CLI in a child process (spawned, not spawnSync: the fake tenant answers from this process). */
const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<Result> => spawnCli(CLI, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });

function expectNoSecret(result: Result): void {
  for (const secret of SECRETS) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

let dir: string;
let caFile: string;
let certificate: TestCertificate;
let prod: FakeAuth0Tenant;
let dev: FakeAuth0Tenant;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-check-'));
  certificate = await selfSignedCertificate();
  caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  prod = await startFakeAuth0Tenant({ tls: certificate, clientId: 'prod-client', clientSecret: PROD_SECRET, activeUsers: 1234 });
  dev = await startFakeAuth0Tenant({ tls: certificate, clientId: 'dev-client', clientSecret: DEV_SECRET, scopes: ['read:users'] });
});

afterAll(async () => {
  await prod.close();
  await dev.close();
  rmSync(dir, { recursive: true, force: true });
});

test('one tenant from the flags: exit 0 and one ok line', async () => {
  const result = await cli(['auth0-check', '--auth0-domain', prod.domain, '--auth0-client-id', 'prod-client', '--auth0-tenant', 'acme-prod'], {
    NODE_EXTRA_CA_CERTS: caFile,
    AUTH0_USAGE_AUTH0_CLIENT_SECRET: PROD_SECRET,
  });
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe(`ok     acme-prod  ${prod.domain}  token issued, read:stats granted, stats/active-users answered 1234\n`);
  expect(result.code).toBe(0);
  expectNoSecret(result);
});

test('config tenants: one line each; a missing scope and a wrong secret fail the check with exit 1', async () => {
  const config = path.join(dir, 'tenants.json');
  writeFileSync(
    config,
    JSON.stringify({
      auth0: {
        tenants: [
          { tenant: 'acme-prod', domain: prod.domain, clientId: 'prod-client', clientSecretEnv: 'ACME_PROD_AUTH0_SECRET' },
          { tenant: 'acme-dev', domain: dev.domain, clientId: 'dev-client', clientSecretEnv: 'ACME_DEV_AUTH0_SECRET' },
          { tenant: 'acme-old', domain: prod.domain, clientId: 'prod-client', clientSecretEnv: 'ACME_OLD_AUTH0_SECRET' },
        ],
      },
    }),
  );
  const result = await cli(['auth0-check', '--config', config], {
    NODE_EXTRA_CA_CERTS: caFile,
    ACME_PROD_AUTH0_SECRET: PROD_SECRET,
    ACME_DEV_AUTH0_SECRET: DEV_SECRET,
    ACME_OLD_AUTH0_SECRET: 'wrong-Secret-0dd5',
  });
  const lines = result.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toBe(`ok     acme-prod  ${prod.domain}  token issued, read:stats granted, stats/active-users answered 1234`);
  expect(lines[1]).toMatch(
    new RegExp(`^FAILED acme-dev   ${dev.domain}  ERR_AUTH0_SCOPE: GET /api/v2/stats/active-users was refused \\(403 insufficient_scope: .*read:stats\\): grant read:stats`),
  );
  expect(lines[2]).toBe(
    `FAILED acme-old   ${prod.domain}  ERR_AUTH0_CREDENTIALS: the token request was refused (401 access_denied: Unauthorized): check the client id and the secret in ACME_OLD_AUTH0_SECRET`,
  );
  expect(result.code).toBe(1);
  expectNoSecret(result);
});

test('without the CA in NODE_EXTRA_CA_CERTS the certificate is not trusted: exit 1', async () => {
  const result = await cli(['auth0-check', '--auth0-domain', prod.domain, '--auth0-client-id', 'prod-client'], { AUTH0_USAGE_AUTH0_CLIENT_SECRET: PROD_SECRET });
  expect(result.stdout).toMatch(new RegExp(`^FAILED localhost  ${prod.domain}  ERR_AUTH0_TLS: the TLS certificate of https://${prod.domain} is not trusted \\([A-Z_]+\\): point NODE_EXTRA_CA_CERTS at its CA file\\n$`));
  expect(result.code).toBe(1);
  expectNoSecret(result);
});

test.each([
  [[], {}, 'auth0-usage: auth0-check needs --auth0-domain and --auth0-client-id, or auth0.tenants in the --config file (see auth0-usage auth0-check --help)\n'],
  [['--auth0-domain', 'acme.us.auth0.com', '--auth0-client-id', 'id'], {}, 'auth0-usage: tenant acme: the client secret variable AUTH0_USAGE_AUTH0_CLIENT_SECRET is not set\n'],
  [['--auth0-client-id', 'id'], { AUTH0_USAGE_AUTH0_CLIENT_SECRET: PROD_SECRET }, 'auth0-usage: --auth0-client-id needs --auth0-domain\n'],
])('usage errors exit 2: %j', async (args, env, stderr) => {
  const result = await cli(['auth0-check', ...args], env);
  expect(result.stderr).toBe(stderr);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(2);
});

test('a secret given as a flag is refused with exit 2, not echoed and not sent', async () => {
  const requestsBefore = prod.requests.length;
  const result = await cli(['auth0-check', '--auth0-domain', prod.domain, '--auth0-client-id', 'prod-client', '--auth0-client-secret', PROD_SECRET], {});
  expect(result.stderr).toMatch(/^auth0-usage: the Auth0 client secret is read from AUTH0_USAGE_AUTH0_CLIENT_SECRET .* only, never from a flag/);
  expect(result.code).toBe(2);
  expectNoSecret(result);
  expect(prod.requests).toHaveLength(requestsBefore);
});
