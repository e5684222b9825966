import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closingLine, readNdjson, spawnCli, type SpawnedCliResult as Result } from '../support/cliRunner';
import { apiDailyRow, startTrustedFakeAuth0Tenant, type FakeAuth0Tenant } from '../support/fakeAuth0Tenant';
import { HecReceiver } from '../support/hecReceiver';

// `run` as the built binary in a child process against a fake tenant, trusted through NODE_EXTRA_CA_CERTS.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SECRET = 'run-Secret-9d8c7b6a55';
const WRONG = 'wrong-Secret-1a2b3c';

/** The built CLI in a child process (spawned, not spawnSync: the fake tenant answers from this process). */
const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<Result> => spawnCli(CLI, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });

let seq = 0;
/** A bare Auth0 log record of tenant acme-prod; log_id 56 digits. */
function rec(type: string, date: string, userId = 'auth0|u1'): string {
  seq++;
  const logId = `9001${String(seq).padStart(52, '0')}`;
  return JSON.stringify({ log_id: logId, date, type, tenant_name: 'acme-prod', hostname: 'acme-prod.us.auth0.com', user_id: userId });
}

/**
 * The archive, by UTC day (the API's day). --timezone is America/New_York (UTC−4 in May), so the 02:00Z login
 * is on New York's 2024-05-01 but Auth0's 2024-05-02: reconcile must count it on 05-02.
 *   05-01: s at 10:00, 11:00, 12:00; ss at 13:00                → logins 3, signups 1
 *   05-02: s at 02:00 and nine at 09:00–09:08                   → logins 10, signups 0
 *   05-03: s at 12:00, 12:30; ss at 12:10, 12:20                → logins 2, signups 2
 *   05-04: s at 23:30                                           → logins 1
 * No breached-password record at all.
 */
const DAY1 = ['10:00', '11:00', '12:00'].map((t) => rec('s', `2024-05-01T${t}:00.000Z`)).concat(rec('ss', '2024-05-01T13:00:00.000Z', 'auth0|n1'));
const DAY2 = [rec('s', '2024-05-02T02:00:00.000Z'), ...Array.from({ length: 9 }, (_, i) => rec('s', `2024-05-02T09:0${i}:00.000Z`))];
const DAY3 = [rec('s', '2024-05-03T12:00:00.000Z'), rec('s', '2024-05-03T12:30:00.000Z'), rec('ss', '2024-05-03T12:10:00.000Z', 'auth0|n2'), rec('ss', '2024-05-03T12:20:00.000Z', 'auth0|n3')];
const DAY4 = [rec('s', '2024-05-04T23:30:00.000Z')];

/**
 * Auth0's figures: 05-01 agrees; 05-02 says 11 logins (ours 10: −1, −9.09 %, within the 10 % tolerance);
 * 05-03 says 5 signups (ours 2: −3, −60 %, a mismatch) and 1 breached password (ours 0: missing_logs);
 * 05-04 has no row (missing_auth0).
 */
const API_ROWS = [apiDailyRow('2024-05-01', 3, 1, 0), apiDailyRow('2024-05-02', 11, 0, 0), apiDailyRow('2024-05-03', 2, 5, 1)];

let dir: string;
let caFile: string;
let tenant: FakeAuth0Tenant;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'run-auth0-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auth0: { tolerancePercent: 10 } }));
  ({ tenant, caFile } = await startTrustedFakeAuth0Tenant(dir, { clientId: 'run-client', clientSecret: SECRET, daily: API_ROWS, activeUsers: 7 }));
});

afterAll(async () => {
  await tenant.close();
  rmSync(dir, { recursive: true, force: true });
});

function inputDir(name: string, lines: string[]): string {
  const input = path.join(dir, name);
  rmSync(input, { recursive: true, force: true });
  mkdirSync(input);
  writeFileSync(path.join(input, 'logs.ndjson'), lines.join('\n') + '\n');
  return input;
}

const run = (input: string, output: string, secret: string, extra: string[] = []) =>
  cli(
    ['run', '-i', input, '-o', output, '--tz', 'America/New_York', '--config', path.join(dir, 'config.json'), '--no-table', '--log-format', 'json',
      '--auth0-domain', tenant.domain, '--auth0-client-id', 'run-client', '--auth0-tenant', 'acme-prod', ...extra],
    { NODE_EXTRA_CA_CERTS: caFile, AUTH0_USAGE_AUTH0_CLIENT_SECRET: secret },
  );

/** Every file under `root`, as text. */
function allText(root: string): string {
  let text = '';
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const file = path.join(root, name);
    if (statSync(file).isFile()) text += readFileSync(file, 'latin1');
  }
  return text;
}

test('run emits auth0_daily, auth0_active_users and reconcile by the API day, every status, beside coverage', async () => {
  const input = inputDir('archive', [...DAY1, ...DAY2, ...DAY3, ...DAY4]);
  const output = path.join(dir, 'out.ndjson');
  const started = Date.now();
  const result = await run(input, output, SECRET, ['--state', path.join(dir, 'state')]);
  const finished = Date.now();
  expect(result.stderr).not.toContain('"level":50');
  expect(result.code).toBe(0);
  const events = readNdjson(readFileSync(output, 'utf8')).map((e) => e.event);
  const kind = (k: string) => events.filter((e) => e.summary === k);

  // One stats/daily call over the days summarized (New York's 05-01..05-04, compared as the API's days).
  const daily = tenant.requests.filter((r) => r.path === '/api/v2/stats/daily');
  expect(daily.map((r) => r.query)).toEqual([{ from: '20240501', to: '20240504' }]);

  expect(kind('auth0_daily').map((e) => [e.tenant, e.day, e.tz, e.logins, e.signups, e.leaked_passwords, e.updated_at])).toEqual([
    ['acme-prod', '2024-05-01', 'UTC', 3, 1, 0, '2024-05-01T23:59:58.000Z'],
    ['acme-prod', '2024-05-02', 'UTC', 11, 0, 0, '2024-05-02T23:59:58.000Z'],
    ['acme-prod', '2024-05-03', 'UTC', 2, 5, 1, '2024-05-03T23:59:58.000Z'],
  ]);
  expect(kind('reconcile').map((e) => [e.day, e.metric, e.logs, e.auth0, e.delta, e.delta_percent, e.tolerance_percent, e.status])).toEqual([
    ['2024-05-01', 'logins', 3, 3, 0, 0, 10, 'match'],
    ['2024-05-01', 'signups', 1, 1, 0, 0, 10, 'match'],
    ['2024-05-01', 'breached_passwords', 0, 0, 0, null, 10, 'match'],
    ['2024-05-02', 'logins', 10, 11, -1, -9.09, 10, 'within_tolerance'],
    ['2024-05-02', 'signups', 0, 0, 0, null, 10, 'match'],
    ['2024-05-02', 'breached_passwords', 0, 0, 0, null, 10, 'match'],
    ['2024-05-03', 'logins', 2, 2, 0, 0, 10, 'match'],
    ['2024-05-03', 'signups', 2, 5, -3, -60, 10, 'mismatch'],
    ['2024-05-03', 'breached_passwords', 0, 1, -1, -100, 10, 'missing_logs'],
    ['2024-05-04', 'logins', 1, null, null, null, 10, 'missing_auth0'],
    ['2024-05-04', 'signups', 0, null, null, null, 10, 'missing_auth0'],
    ['2024-05-04', 'breached_passwords', 0, null, null, null, 10, 'missing_auth0'],
  ]);
  // The UTC day 05-02 spans 00:00Z–24:00Z: info_min_time 2024-05-02T00:00Z = 1714608000.
  expect(kind('reconcile').find((e) => e.day === '2024-05-02').info_min_time).toBe(1714608000);

  // Our daily summary keeps New York's days: 05-01 holds the 02:00Z login of UTC 05-02.
  expect(kind('daily').map((e) => [e.day, e.logins])).toEqual([['2024-05-01', 4], ['2024-05-02', 9], ['2024-05-03', 2], ['2024-05-04', 1]]);

  const [active] = kind('auth0_active_users');
  expect(kind('auth0_active_users')).toHaveLength(1);
  expect(active.active_users_30d).toBe(7);
  const asOf = Date.parse(active.as_of);
  expect(asOf).toBeGreaterThanOrEqual(started - 1000);
  expect(asOf).toBeLessThanOrEqual(finished);
  expect(active.day).toBe(new Date(asOf).toISOString().slice(0, 10));

  expect(kind('coverage').map((e) => e.day)).toEqual(['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']);
  const [runEvent] = kind('run');
  expect(runEvent.auth0_stats_errors).toEqual({ count: 0, tenants: [] });
  expect(runEvent.status).toBe('ok');
  // 4 days × (daily, event_type per type, coverage) + window kinds, plus 3 + 12 + 1 Auth0 kinds: counted from the output.
  expect(runEvent.summaries).toBe(events.length - 1);

  // The secret went to the token endpoint only: never to the output, the logs or the state.
  for (const text of [result.stdout, result.stderr, readFileSync(output, 'utf8'), allText(path.join(dir, 'state'))]) {
    expect(text).not.toContain(SECRET);
  }
});

test('a wrong secret: one clear line, exit 1; the same run without Auth0 settings asks nothing', async () => {
  const input = inputDir('archive-wrong', DAY1);
  const output = path.join(dir, 'wrong.ndjson');
  const result = await run(input, output, WRONG);
  expect(result.code).toBe(1);
  const closing = closingLine(result.stderr);
  expect(closing).toMatchObject({ level: 'error', code: 'ERR_AUTH0_CREDENTIALS', exit_code: 1 });
  expect(closing.msg).toMatch(/^tenant acme-prod: .*AUTH0_USAGE_AUTH0_CLIENT_SECRET/);
  expect(result.stderr + result.stdout).not.toContain(WRONG);

  const before = tenant.requests.length;
  const plain = await cli(['run', '-i', input, '-o', path.join(dir, 'plain.ndjson'), '--no-table', '--log-format', 'json'], { NODE_EXTRA_CA_CERTS: caFile });
  expect(plain.code).toBe(0);
  expect(tenant.requests.length).toBe(before);
  const kinds = new Set(readNdjson(readFileSync(path.join(dir, 'plain.ndjson'), 'utf8')).map((e) => e.event.summary));
  expect([...kinds].sort()).toEqual(['active_users', 'coverage', 'daily', 'event_type', 'quota', 'run']);
  const runEvent = readNdjson(readFileSync(path.join(dir, 'plain.ndjson'), 'utf8')).at(-1).event;
  expect('auth0_stats_errors' in runEvent).toBe(false);
});

test('with HEC busy, every summary (the Auth0 kinds too) waits in the spool, and the secret is nowhere in it', async () => {
  const receiver = await HecReceiver.start({ token: 'hec-0a1b2c3d-token', allowedIndexes: ['auth0_usage', 'main'] });
  try {
    receiver.injectAlways({ kind: 'busy', retryAfterSeconds: 0 });
    const input = inputDir('archive-spool', DAY1);
    const spool = path.join(dir, 'spool');
    const output = path.join(dir, 'spooled.ndjson');
    const result = await cli(
      ['run', '-i', input, '-o', output, '--no-table', '--log-format', 'json', '--hec-url', receiver.url, '--spool', spool, '--hec-deadline', '0.3',
        '--auth0-domain', tenant.domain, '--auth0-client-id', 'run-client', '--auth0-tenant', 'acme-prod'],
      { NODE_EXTRA_CA_CERTS: caFile, AUTH0_USAGE_AUTH0_CLIENT_SECRET: SECRET, SPLUNK_HEC_TOKEN: 'hec-0a1b2c3d-token' },
    );
    expect(result.code).toBe(3);
    const spooled = allText(spool);
    expect(spooled).toContain('"summary":"reconcile"');
    expect(spooled).toContain('"summary":"auth0_daily"');
    for (const text of [spooled, result.stdout, result.stderr, readFileSync(output, 'utf8')]) expect(text).not.toContain(SECRET);
  } finally {
    await receiver.close();
  }
});

test('SIGTERM while a 429 makes the run wait on Auth0: the wait ends, the days wait for the next run, the state commits: exit 3', async () => {
  // Rate limited for good, asking for a minute each time: only the stop can end the wait in time for a grace period.
  tenant.failNext('/api/v2/stats/daily', { kind: 'rate-limit', resetAtSeconds: Math.floor(Date.now() / 1000) + 600, retryAfterSeconds: 60 }, 5);
  const input = inputDir('archive-stop', DAY1);
  const output = path.join(dir, 'stopped.ndjson');
  const state = path.join(dir, 'state-stop');
  const before = tenant.requests.length;
  const child = spawn(
    process.execPath,
    [CLI, 'run', '-i', input, '-o', output, '--state', state, '--no-table', '--log-format', 'json',
      '--auth0-domain', tenant.domain, '--auth0-client-id', 'run-client', '--auth0-tenant', 'acme-prod'],
    { cwd: ROOT, env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: caFile, AUTH0_USAGE_AUTH0_CLIENT_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    while (!tenant.requests.slice(before).some((r) => r.path === '/api/v2/stats/daily' && r.status === 429)) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    // Without the stop reaching the wait, the run would sit out the 60 s the tenant asked for, four times.
    const code = await exited;
    expect(code).toBe(3);
    expect(stderr).toContain('received SIGTERM: finishing up');
    expect(closingLine(stderr)).toMatchObject({ level: 'warn', exit_code: 3, msg: expect.stringContaining('acme-prod (ERR_STOP_REQUESTED)') });
    // No retry after the stop.
    expect(tenant.requests.slice(before).filter((r) => r.path === '/api/v2/stats/daily')).toHaveLength(1);
    const runEvent = readNdjson(readFileSync(output, 'utf8')).at(-1).event;
    expect(runEvent).toMatchObject({ summary: 'run', status: 'partial', auth0_stats_errors: { count: 1, tenants: [{ tenant: 'acme-prod', code: 'ERR_STOP_REQUESTED' }] } });
    // Committed, with the day waiting for the next run's statistics, and the lock released.
    const status = await cli(['status', '--state', state], {});
    expect(status.stdout).toContain('auth0      statistics of acme-prod: 1 day (2024-05-01) still to be read by the next run');
    expect(status.stdout).toMatch(/last run .*: partial, committed/);
    expect(existsSync(path.join(state, 'lock.json'))).toBe(false);
  } finally {
    child.kill('SIGKILL');
  }
});
