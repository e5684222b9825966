/**
 * runJob with Auth0 statistics over the real SDK and a fake tenant on loopback (in-process: a fetch that
 * trusts the test CA, and a retry clock that does not really sleep).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isAuth0CredentialsError } from '../../../src/auth0/auth0Errors';
import { createAuth0StatsClient } from '../../../src/auth0/auth0StatsClient';
import { Auth0Tenant } from '../../../src/auth0/auth0Tenant';
import type { Auth0StatsSource } from '../../../src/run/auth0Stats';
import { runJob } from '../../../src/run/runJob';
import { createLogger } from '../../../src/support/logger';
import { Writable } from 'node:stream';
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

async function runWith(sources: Auth0StatsSource[], at = new Date(Date.UTC(2024, 4, 3, 6)), logger = silentLogger) {
  const sink = new CollectingSink();
  const resolver = new SourceResolver();
  const outcome = await runJob({
    inputs: [dir],
    config: configWith(),
    timezone: 'UTC',
    openSource: (input) => resolver.resolve(input),
    sinks: [sink],
    concurrency: 1,
    logger,
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

test('a token endpoint answering 200 without an access token: the log line says so, not that Auth0 is unreachable, and never shows the secret', async () => {
  const lines: string[] = [];
  const logger = createLogger({ format: 'json', stream: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
  // A proxy in front of the tenant answering with JSON of its own that echoes the form it was sent.
  prod.failNext('/oauth/token', { kind: 'status', status: 200, body: JSON.stringify({ status: 'ok', echo: `client_secret=${SECRET}` }) });
  const before = prod.requests.length;
  const { outcome } = await runWith([source('acme-prod', prod.domain, 'prod-client')], undefined, logger);
  expect(outcome.exitCode).toBe(3);
  expect(outcome.run.auth0_stats_errors).toEqual({ count: 1, tenants: [{ tenant: 'acme-prod', code: 'ERR_AUTH0_RESPONSE' }] });
  // Asked once: an answer of the wrong shape is not retried.
  expect(prod.requests.slice(before).map((r) => `${r.path} ${r.status}`)).toEqual(['/oauth/token 200']);
  const failed = lines.map((line) => JSON.parse(line)).filter((line) => line.code === 'ERR_AUTH0_RESPONSE');
  expect(failed.map((line) => line.err)).toEqual([
    `tenant acme-prod: the token request to https://${prod.domain} was answered (200) without an access token: is a proxy in the way, or is the domain not the tenant's?`,
  ]);
  for (const text of [...lines, JSON.stringify(outcome.run)]) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/cannot reach/);
  }
});
