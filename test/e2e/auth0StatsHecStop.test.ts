import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCli, type SpawnedCliResult as Result } from '../support/cliRunner';
import { apiDailyRow, startTrustedFakeAuth0Tenant, type FakeAuth0Tenant } from '../support/fakeAuth0Tenant';
import { HecReceiver } from '../support/hecReceiver';

// With --state, Auth0's statistics are the last summaries a run delivers. A HEC that stops the delivery there (the
// token refused) must not lose them: either they are kept for the next run, or the run is not committed and the same
// command builds them again.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SECRET = 'run-Secret-9d8c7b6a55';
const HEC_TOKEN = 'a1b2c3d4-0000-4e5f-9a8b-7c6d5e4f3a2b';

let dir: string;
let caFile: string;
let tenant: FakeAuth0Tenant;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-stats-hec-stop-'));
  ({ tenant, caFile } = await startTrustedFakeAuth0Tenant(dir, { clientId: 'run-client', clientSecret: SECRET, daily: [apiDailyRow('2024-05-01', 2, 0, 0)], activeUsers: 7 }));
});
afterAll(async () => {
  await tenant.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<Result> => spawnCli(CLI, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });

test('HEC refusing the token once the log summaries are in: the Auth0 summaries are not lost to the committed state', async () => {
  const input = path.join(dir, 'archive');
  mkdirSync(input);
  // Two logins on 2024-05-01 (UTC).
  const rec = (n: number, time: string) =>
    JSON.stringify({ log_id: `9001${String(n).padStart(52, '0')}`, date: `2024-05-01T${time}:00.000Z`, type: 's', tenant_name: 'acme-prod', hostname: 'acme-prod.us.auth0.com', user_id: `auth0|u${n}` });
  writeFileSync(path.join(input, 'logs.ndjson'), `${rec(1, '10:00')}\n${rec(2, '11:00')}\n`);
  const state = path.join(dir, 'state');
  const spool = path.join(dir, 'spool');
  const run = (receiver: HecReceiver) =>
    cli(
      ['run', '-i', input, '--state', state, '--spool', spool, '--hec-url', receiver.url, '--no-table', '--log-format', 'json',
        '--auth0-domain', tenant.domain, '--auth0-client-id', 'run-client', '--auth0-tenant', 'acme-prod'],
      { NODE_EXTRA_CA_CERTS: caFile, AUTH0_USAGE_AUTH0_CLIENT_SECRET: SECRET, SPLUNK_HEC_TOKEN: HEC_TOKEN },
    );

  // Night 1: the log summaries go out in one request; from the next request on, HEC refuses the token.
  const first = await HecReceiver.start({ token: HEC_TOKEN });
  const { port } = first;
  first.inject({ kind: 'pass' });
  first.injectAlways({ kind: 'status', status: 403, body: JSON.stringify({ text: 'Invalid token', code: 4 }) });
  let night1: Result;
  let indexed1: string[];
  try {
    night1 = await run(first);
    indexed1 = first.events().map((e) => String(e.event.summary));
  } finally {
    await first.close();
  }
  expect(night1.code).toBe(1);
  expect(indexed1).toContain('daily');
  expect(indexed1).not.toContain('auth0_daily');

  // Night 2, token fixed, nothing new to read: the same HEC (URL), so night 1's spool is this job's to send.
  const second = await HecReceiver.start({ token: HEC_TOKEN, port });
  let indexed2: string[];
  try {
    const night2 = await run(second);
    expect([night2.code, night2.stderr]).toEqual([0, expect.anything()]);
    indexed2 = second.events().map((e) => String(e.event.summary));
  } finally {
    await second.close();
  }
  // Over both nights, Auth0's figures for 2024-05-01 reached Splunk: auth0_daily and the reconcile summaries.
  const both = [...indexed1, ...indexed2];
  expect({ auth0_daily: both.filter((s) => s === 'auth0_daily').length, reconcile: both.filter((s) => s === 'reconcile').length, spoolFiles: readdirSync(spool).length }).toEqual({
    auth0_daily: 1,
    reconcile: 3,
    spoolFiles: 0,
  });
});
