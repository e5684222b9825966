import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, spawnCli, type SpawnedCliResult as Result } from '../support/cliRunner';
import { apiDailyRow, startTrustedFakeAuth0Tenant, type FakeAuth0Tenant } from '../support/fakeAuth0Tenant';

// A --state run in two parts (one object each) reconciled against Auth0's UTC days while its own days are cut in
// Asia/Kolkata (UTC+05:30): the local day 2024-01-11 begins at 2024-01-10T18:30Z, inside the API's 2024-01-10.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SECRET = 'reconcile-Secret-4f3e2d1c';
const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<Result> => spawnCli(CLI, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });

let seq = 0;
function login(date: string, user: string): string {
  seq++;
  return JSON.stringify({ log_id: `9001${String(seq).padStart(52, '0')}`, date, type: 's', tenant_name: 'acme-prod', hostname: 'acme-prod.us.auth0.com', user_id: user });
}

let dir: string;
let caFile: string;
let tenant: FakeAuth0Tenant;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'reconcile-checkpoints-'));
  // Auth0 agrees with the archives: two logins on its 2024-01-10, one on 2024-02-09, none on 2024-01-11.
  ({ tenant, caFile } = await startTrustedFakeAuth0Tenant(dir, {
    clientId: 'run-client',
    clientSecret: SECRET,
    daily: [apiDailyRow('2024-01-10', 2, 0), apiDailyRow('2024-01-11', 0, 0), apiDailyRow('2024-02-09', 1, 0)],
    activeUsers: 3,
  }));
});
afterAll(async () => {
  await tenant.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `auth0-usage run ARGS` with Auth0's statistics from the fake tenant, logging JSON. */
const runWithStats = (args: string[]): Promise<Result> =>
  cli(
    ['run', ...args, '--no-table', '--log-format', 'json', '--auth0-domain', tenant.domain, '--auth0-client-id', 'run-client', '--auth0-tenant', 'acme-prod'],
    { NODE_EXTRA_CA_CERTS: caFile, AUTH0_USAGE_AUTH0_CLIENT_SECRET: SECRET },
  );
/** One checkpoint a part, each part one object. */
const OBJECT_BY_OBJECT = ['--checkpoint-objects', '1', '--concurrency', '1'];

test('a later part whose days start mid-way through an API day does not replace an earlier part’s whole count of it', async () => {
  const input = path.join(dir, 'archives');
  mkdirSync(input);
  // Part 1: UTC 2024-01-10 12:00 (Kolkata 01-10) and 20:00 (Kolkata 01-11 01:30): both the API's 2024-01-10.
  writeFileSync(path.join(input, 'a.ndjson'), [login('2024-01-10T12:00:00.000Z', 'u1'), login('2024-01-10T20:00:00.000Z', 'u2')].join('\n') + '\n');
  // Part 2: Kolkata 2024-02-09, whose 30-day window starts on Kolkata's 2024-01-11 (its month later, on 02-01).
  writeFileSync(path.join(input, 'b.ndjson'), login('2024-02-09T06:00:00.000Z', 'u3') + '\n');
  const output = path.join(dir, 'out.ndjson');
  const result = await runWithStats(['-i', input, '-o', output, '--tz', 'Asia/Kolkata', '--state', path.join(dir, 'state'), ...OBJECT_BY_OBJECT]);
  expect(result.code).toBe(0);
  const events = readNdjson(readFileSync(output, 'utf8')).map((e) => e.event);
  const logins = events.filter((e) => e.summary === 'reconcile' && e.metric === 'logins').map((e) => [e.day, e.logs, e.auth0, e.status]);
  expect(logins).toEqual([
    ['2024-01-10', 2, 2, 'match'],
    ['2024-01-11', 0, 0, 'match'],
    ['2024-02-09', 1, 1, 'match'],
  ]);
});

test('a later part that changed only today does not replace yesterday’s mau_30d with a window it went through in part', async () => {
  // active_users_30d compares Auth0's figure with our mau_30d of the latest complete day: yesterday (UTC).
  const dayMs = 86_400_000;
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const iso = (ms: number) => new Date(ms + 12 * 3_600_000).toISOString(); // noon of that day
  const input = path.join(dir, 'today');
  mkdirSync(input);
  // Part 1: u1 on the first day of yesterday's 30-day window, u2 yesterday: yesterday's mau_30d is 2.
  writeFileSync(path.join(input, 'a.ndjson'), [login(iso(today - 30 * dayMs), 'u1'), login(iso(today - dayMs), 'u2')].join('\n') + '\n');
  // Part 2: u3 today. Its pass starts 29 days back (or on the 1st), a day after yesterday's window starts on any
  // day but the 31st (then the 1st of the month is where yesterday's window starts: the test cannot tell).
  writeFileSync(path.join(input, 'b.ndjson'), login(iso(today), 'u3') + '\n');
  const output = path.join(dir, 'today.ndjson');
  const result = await runWithStats(['-i', input, '-o', output, '--tz', 'UTC', '--state', path.join(dir, 'today-state'), ...OBJECT_BY_OBJECT]);
  expect(result.code).toBe(0);
  const events = readNdjson(readFileSync(output, 'utf8')).map((e) => e.event);
  const yesterday = new Date(today - dayMs).toISOString().slice(0, 10);
  expect(events.filter((e) => e.summary === 'reconcile' && e.metric === 'active_users_30d').map((e) => [e.day, e.logs])).toEqual([[yesterday, 2]]);
});

test('a daily run that read only today’s objects reconciles yesterday’s whole 30-day window with the state’s days', async () => {
  const dayMs = 86_400_000;
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const iso = (ms: number) => new Date(ms + 12 * 3_600_000).toISOString();
  const earlier = path.join(dir, 'daily-earlier');
  const latest = path.join(dir, 'daily-latest');
  mkdirSync(earlier);
  mkdirSync(latest);
  // Yesterday's window [yesterday − 29, yesterday] holds u1 (its first day) and u2: mau_30d 2.
  writeFileSync(path.join(earlier, 'a.ndjson'), [login(iso(today - 30 * dayMs), 'u1'), login(iso(today - dayMs), 'u2')].join('\n') + '\n');
  writeFileSync(path.join(latest, 'b.ndjson'), login(iso(today), 'u3') + '\n');
  const state = ['--state', path.join(dir, 'daily-state'), '--tz', 'UTC'];
  expect((await runWithStats(['-i', earlier, '-o', path.join(dir, 'daily-1.ndjson'), ...state])).code).toBe(0);
  const output = path.join(dir, 'daily-2.ndjson');
  expect((await runWithStats(['-i', latest, '-o', output, ...state])).code).toBe(0);
  const events = readNdjson(readFileSync(output, 'utf8')).map((e) => e.event);
  const yesterday = new Date(today - dayMs).toISOString().slice(0, 10);
  expect(events.filter((e) => e.summary === 'reconcile' && e.metric === 'active_users_30d').map((e) => [e.day, e.logs])).toEqual([[yesterday, 2]]);
});
