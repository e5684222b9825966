import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, spawnCli, type SpawnedCliResult as Result } from '../support/cliRunner';
import { apiDailyRow, startTrustedFakeAuth0Tenant, type FakeAuth0Tenant } from '../support/fakeAuth0Tenant';

// docs/auth0-stats.md: credentials refused → exit 1, "the state is not committed", so the same command with the
// secret fixed reads the archives again and reconciles their days.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SECRET = 'run-Secret-9d8c7b6a55';
const WRONG = 'wrong-Secret-1a2b3c';

let dir: string;
let caFile: string;
let tenant: FakeAuth0Tenant;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-stats-commit-'));
  ({ tenant, caFile } = await startTrustedFakeAuth0Tenant(dir, { clientId: 'run-client', clientSecret: SECRET, daily: [apiDailyRow('2024-05-01', 2, 0, 0)], activeUsers: 7 }));
});
afterAll(async () => {
  await tenant.close();
  rmSync(dir, { recursive: true, force: true });
});

test('credentials refused with --state: nothing committed, and the fixed rerun reconciles the days', async () => {
  const input = path.join(dir, 'archive');
  mkdirSync(input);
  const rec = (n: number, time: string) =>
    JSON.stringify({ log_id: `9001${String(n).padStart(52, '0')}`, date: `2024-05-01T${time}:00.000Z`, type: 's', tenant_name: 'acme-prod', hostname: 'acme-prod.us.auth0.com', user_id: `auth0|u${n}` });
  writeFileSync(path.join(input, 'logs.ndjson'), `${rec(1, '10:00')}\n${rec(2, '11:00')}\n`);
  const state = path.join(dir, 'state');
  const run = (secret: string, output: string): Promise<Result> =>
    spawnCli(
      CLI,
      ['run', '-i', input, '--state', state, '-o', output, '--no-table', '--log-format', 'json', '--auth0-domain', tenant.domain, '--auth0-client-id', 'run-client', '--auth0-tenant', 'acme-prod'],
      { cwd: ROOT, env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: caFile, AUTH0_USAGE_AUTH0_CLIENT_SECRET: secret } },
    );

  const refused = await run(WRONG, path.join(dir, 'night1.ndjson'));
  expect(refused.code).toBe(1);
  expect(existsSync(path.join(state, "manifest.json"))).toBe(false);

  const fixed = await run(SECRET, path.join(dir, 'night2.ndjson'));
  expect(fixed.code).toBe(0);
  const events = readNdjson(readFileSync(path.join(dir, 'night2.ndjson'), 'utf8')).map((e) => e.event);
  // Auth0 says 2 logins on 2024-05-01, the archive holds 2: one auth0_daily, and logins reconciled as a match.
  expect(events.filter((e) => e.summary === 'auth0_daily').map((e) => [e.day, e.logins])).toEqual([['2024-05-01', 2]]);
  expect(events.filter((e) => e.summary === 'reconcile' && e.metric === 'logins').map((e) => [e.day, e.logs, e.auth0, e.status])).toEqual([['2024-05-01', 2, 2, 'match']]);
});
