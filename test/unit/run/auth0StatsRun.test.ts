/**
 * runJob with Auth0 statistics over the real SDK and a fake tenant on loopback (in-process: a fetch that
 * trusts the test CA, and a retry clock that does not really sleep).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isAuth0CredentialsError } from '../../../src/auth0/auth0Errors';
import { createAuth0StatsClient } from '../../../src/auth0/auth0StatsClient';
import { Auth0Tenant } from '../../../src/auth0/auth0Tenant';
import { PENDING_DAYS, readAuth0Stats, type Auth0StatsSource } from '../../../src/run/auth0Stats';
import { createLogger } from '../../../src/support/logger';
import { Writable } from 'node:stream';
import { runJob } from '../../../src/run/runJob';
import { RunState } from '../../../src/state/runState';
import { SourceResolver } from '../../../src/sources/resolveSource';
import { selfSignedCertificate, type TestCertificate } from '../../support/hecCertificate';
import { apiDailyRow, startFakeAuth0Tenant, type FakeAuth0Tenant } from '../../support/fakeAuth0Tenant';
import { fetchTrusting, type TrustingFetch } from '../../support/trustingFetch';
import { CollectingSink, configWith, silentLogger } from '../state/stateTestKit';

const SECRET = 'unit-Secret-77aa88bb';
let dir: string;
let certificate: TestCertificate;
let trusting: TrustingFetch;
let prod: FakeAuth0Tenant;
let closedPort: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-stats-run-'));
  // acme-prod: two logins on 2024-05-01 (UTC), one signup on 05-02.
  const line = (n: number, type: string, date: string) =>
    JSON.stringify({ log_id: `7${String(n).padStart(55, '0')}`, date, type, tenant_name: 'acme-prod', user_id: `auth0|u${n}` });
  writeFileSync(path.join(dir, 'logs.ndjson'), [line(1, 's', '2024-05-01T08:00:00.000Z'), line(2, 's', '2024-05-01T09:00:00.000Z'), line(3, 'ss', '2024-05-02T10:00:00.000Z')].join('\n') + '\n');
  certificate = await selfSignedCertificate();
  trusting = fetchTrusting(certificate.cert);
  prod = await startFakeAuth0Tenant({ tls: certificate, clientId: 'prod-client', clientSecret: SECRET, daily: [apiDailyRow('2024-05-01', 2, 0), apiDailyRow('2024-05-02', 0, 1)], activeUsers: 3 });
  // A port nothing listens on: connections are refused.
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
});

afterAll(async () => {
  await prod.close();
  await trusting.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Retries back off on this clock: nothing really sleeps. */
const clock = { now: () => Date.UTC(2024, 4, 3), sleep: async () => {} };

function source(name: string, domain: string, clientId: string, secret = SECRET): Auth0StatsSource {
  const client = createAuth0StatsClient(new Auth0Tenant(name, domain, clientId, 'TEST_SECRET', secret), { fetch: trusting.fetch, clock });
  return { tenant: name, host: domain.replace(/:\d+$/, ''), dailyStats: (a, b) => client.dailyStats(a, b), activeUsers: () => client.activeUsers() };
}

async function runWith(sources: Auth0StatsSource[], at = new Date(Date.UTC(2024, 4, 3, 6)), withState?: { input: string; state: RunState }) {
  const sink = new CollectingSink();
  const resolver = new SourceResolver();
  const outcome = await runJob({
    inputs: [withState?.input ?? dir],
    ...(withState ? { state: withState.state } : {}),
    config: configWith(),
    timezone: 'UTC',
    openSource: (input) => resolver.resolve(input),
    sinks: [sink],
    concurrency: 1,
    logger: silentLogger,
    now: () => at,
    auth0: { sources, tolerancePercent: 2, statsTimezone: 'UTC', isCredentialsError: isAuth0CredentialsError },
  });
  const events = sink.events.map((e: any) => e.event);
  return { outcome, events, delivered: sink.events.length, kinds: events.map((e: any) => `${e.summary} ${e.tenant ?? ''}`.trim()) };
}

test('an unreachable tenant does not stop the log summaries: auth0_stats_errors, status partial, exit 3', async () => {
  const { outcome, events, kinds, delivered } = await runWith([source('acme-prod', prod.domain, 'prod-client'), source('acme-dev', `localhost:${closedPort}`, 'dev-client')]);
  expect(outcome.exitCode).toBe(3);
  expect(outcome.run.status).toBe('partial');
  expect(outcome.run.auth0_stats_errors).toEqual({ count: 1, tenants: [{ tenant: 'acme-dev', code: 'ERR_AUTH0_UNREACHABLE' }] });
  expect(kinds.filter((k: string) => k === 'daily acme-prod')).toHaveLength(2);
  // acme-prod's statistics all arrived; both days match (2 logins on 05-01, 1 signup on 05-02).
  expect(events.filter((e: any) => e.summary === 'reconcile').map((e: any) => `${e.day} ${e.metric} ${e.status}`)).toEqual([
    '2024-05-01 logins match', '2024-05-01 signups match', '2024-05-01 breached_passwords match',
    '2024-05-02 logins match', '2024-05-02 signups match', '2024-05-02 breached_passwords match',
    // The call is on 05-03, so 05-02 is the latest complete day: our mau_30d there is u1, u2 (05-01) and u3 (05-02).
    '2024-05-02 active_users_30d match',
  ]);
  const [active] = events.filter((e: any) => e.summary === 'auth0_active_users');
  expect([active.tenant, active.day, active.active_users_30d, active.as_of]).toEqual(['acme-prod', '2024-05-03', 3, '2024-05-03T06:00:00.000Z']);
  expect(outcome.run.summaries).toBe(delivered - 1); // the run event is delivered too
});

test('a token without read:stats fails the run with one line naming the scope (exit 1)', async () => {
  prod.setScopes(['read:users']);
  try {
    const { outcome, kinds } = await runWith([source('acme-prod', prod.domain, 'prod-client')]);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.run.status).toBe('failed');
    expect(outcome.run.error).toMatch(/^tenant acme-prod: .*read:stats/);
    expect(outcome.run.error).not.toContain('\n');
    expect(outcome.committed).toBe(false);
    // The log summaries went out before the statistics were asked for.
    expect(kinds).toContain('daily acme-prod');
  } finally {
    prod.setScopes(['read:stats']);
  }
});

test('a wrong secret never shows in the run event', async () => {
  const wrong = 'wrong-Secret-55ee';
  const { outcome } = await runWith([source('acme-prod', prod.domain, 'prod-client', wrong)]);
  expect(outcome.exitCode).toBe(1);
  expect(JSON.stringify(outcome.run)).not.toContain(wrong);
  expect(outcome.run.error).toMatch(/^tenant acme-prod: the token request was refused/);
});

test('the API day that is not over yet is not reconciled: neither our figure nor Auth0\'s is the day\'s', async () => {
  // 06:00Z on 2024-05-02: the archive's 05-02 holds what arrived so far, and so does Auth0's row for it.
  const before = prod.requests.length;
  const { outcome, events } = await runWith([source('acme-prod', prod.domain, 'prod-client')], new Date(Date.UTC(2024, 4, 2, 6)));
  expect(outcome.exitCode).toBe(0);
  expect(prod.requests.slice(before).filter((r) => r.path === '/api/v2/stats/daily').map((r) => r.query)).toEqual([{ from: '20240501', to: '20240501' }]);
  expect([...new Set(events.filter((e: any) => e.summary === 'reconcile' && e.metric !== 'active_users_30d').map((e: any) => e.day))]).toEqual(['2024-05-01']);
  expect(events.filter((e: any) => e.summary === 'auth0_daily').map((e: any) => e.day)).toEqual(['2024-05-01']);
});

test('statistics that could not be read are asked for again by the next run of the state, with the day not over yet', async () => {
  const input = path.join(dir, 'pending-input');
  const stateDir = path.join(dir, 'pending-state');
  mkdirSync(input);
  const line = (n: number, type: string, date: string) =>
    JSON.stringify({ log_id: `8${String(n).padStart(55, '0')}`, date, type, tenant_name: 'acme-prod', user_id: `auth0|u${n}` });
  // The same records as the shared archive: two logins on 05-01, a signup on 05-02.
  writeFileSync(path.join(input, 'night1.ndjson'), [line(1, 's', '2024-05-01T08:00:00.000Z'), line(2, 's', '2024-05-01T09:00:00.000Z'), line(3, 'ss', '2024-05-02T10:00:00.000Z')].join('\n') + '\n');
  const night = async (at: Date) => {
    const state = await RunState.open({ location: stateDir, timezone: 'UTC', config: configWith(), logger: silentLogger, now: () => at });
    const { outcome, events } = await runWith([source('acme-prod', prod.domain, 'prod-client')], at, { input, state });
    const manifest = JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8'));
    return { outcome, events, pending: manifest.auth0Pending };
  };
  const asked = (from: number) => prod.requests.slice(from).filter((r) => r.path === '/api/v2/stats/daily' && r.status === 200).map((r) => r.query);

  // Night 1, 05-03 06:00: Auth0 answers 503 to every attempt (5). Exit 3, committed, both days waiting.
  prod.failNext('/api/v2/stats/daily', { kind: 'status', status: 503, body: '{"statusCode":503,"error":"Service Unavailable","message":"down"}' }, 5);
  const first = await night(new Date(Date.UTC(2024, 4, 3, 6)));
  expect(first.outcome.exitCode).toBe(3);
  expect(first.outcome.committed).toBe(true);
  expect(first.events.filter((e: any) => e.summary === 'reconcile' && e.metric !== 'active_users_30d')).toEqual([]);
  expect(first.pending).toEqual({ 'acme-prod': ['2024-05-01', '2024-05-02'] });

  // Night 2, 05-04 06:00: one new login on 05-03 and one on 05-04 (not over yet). The two waiting days are asked
  // for with the new one and reconciled as a match; 05-04 waits.
  writeFileSync(path.join(input, 'night2.ndjson'), [line(4, 's', '2024-05-03T08:00:00.000Z'), line(5, 's', '2024-05-04T01:00:00.000Z')].join('\n') + '\n');
  const before = prod.requests.length;
  const second = await night(new Date(Date.UTC(2024, 4, 4, 6)));
  expect(second.outcome.exitCode).toBe(0);
  expect(asked(before)).toEqual([{ from: '20240501', to: '20240503' }]);
  const reconciled = second.events.filter((e: any) => e.summary === 'reconcile' && ['logins', 'signups'].includes(e.metric) && e.day < '2024-05-03');
  expect(reconciled.map((e: any) => `${e.day} ${e.metric} ${e.logs} ${e.auth0} ${e.status}`)).toEqual([
    '2024-05-01 logins 2 2 match', '2024-05-01 signups 0 0 match',
    '2024-05-02 logins 0 0 match', '2024-05-02 signups 1 1 match',
  ]);
  expect(second.pending).toEqual({ 'acme-prod': ['2024-05-04'] });
});

test(`a waiting day is asked for once this run walked its counts; one older than ${PENDING_DAYS} days is given up, with a warning`, async () => {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', stream: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
  const counts = { logins: 2, signups: 0, breached_passwords: 0 };
  // This run changed 05-02 and walked 05-01's counts; 04-20 waited from an earlier run and was not walked; 2024-03-01
  // is more than PENDING_DAYS before the call's day (05-03).
  const reconcile = new Map([['acme-prod', { days: ['2024-05-02'], counts: new Map([['2024-05-01', counts], ['2024-05-02', counts]]), unknown: new Set<string>() }]]);
  const waiting = { 'acme-prod': ['2024-03-01', '2024-04-20', '2024-05-01'], gone: ['2024-05-01'] };
  const before = prod.requests.length;
  const meta = { runId: 'r', generatedAt: '2024-05-03T06:00:00.000Z', source: 'auth0-usage', sourcetype: 'auth0:usage' };
  const outcome = await readAuth0Stats(
    { sources: [source('acme-prod', prod.domain, 'prod-client')], tolerancePercent: 2, statsTimezone: 'UTC', isCredentialsError: isAuth0CredentialsError },
    reconcile, waiting, meta, () => new Date(Date.UTC(2024, 4, 3, 6)), log,
  );
  expect(prod.requests.slice(before).filter((r) => r.path === '/api/v2/stats/daily').map((r) => r.query)).toEqual([{ from: '20240501', to: '20240502' }]);
  expect([...new Set(outcome.summaries.filter((e) => e.event.summary === 'reconcile').map((e) => (e.event as { day: string }).day))]).toEqual(['2024-05-01', '2024-05-02']);
  // 04-20 waits on; a tenant no longer configured is dropped with its days.
  expect(outcome.pending).toEqual({ 'acme-prod': ['2024-04-20'] });
  const warned = lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'warn');
  expect(warned).toEqual([expect.objectContaining({ tenant: 'acme-prod', days: 1, first: '2024-03-01', last: '2024-03-01' })]);
});
