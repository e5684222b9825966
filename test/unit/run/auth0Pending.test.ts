/**
 * Review repros for auth0Pending (c40c843): the cases where an API day's statistics are emitted twice or never.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAuth0CredentialsError } from '../../../src/auth0/auth0Errors';
import { createAuth0StatsClient } from '../../../src/auth0/auth0StatsClient';
import { Auth0Tenant } from '../../../src/auth0/auth0Tenant';
import type { Auth0StatsSource } from '../../../src/run/auth0Stats';
import { runJob } from '../../../src/run/runJob';
import { RunState } from '../../../src/state/runState';
import { SourceResolver } from '../../../src/sources/resolveSource';
import { selfSignedCertificate } from '../../support/hecCertificate';
import { apiDailyRow, startFakeAuth0Tenant, type FakeAuth0Tenant } from '../../support/fakeAuth0Tenant';
import { fetchTrusting, type TrustingFetch } from '../../support/trustingFetch';
import { CollectingSink, configWith, silentLogger } from '../state/stateTestKit';

const SECRET = 'unit-Secret-77aa88bb';
let dir: string;
let trusting: TrustingFetch;
let prod: FakeAuth0Tenant;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-pending-review-'));
  const certificate = await selfSignedCertificate();
  trusting = fetchTrusting(certificate.cert);
  prod = await startFakeAuth0Tenant({
    tls: certificate, clientId: 'prod-client', clientSecret: SECRET,
    daily: [apiDailyRow('2024-05-01', 2, 0), apiDailyRow('2024-05-02', 0, 1), apiDailyRow('2024-05-03', 1, 0), apiDailyRow('2024-05-04', 0, 0)],
    activeUsers: 3,
  });
});
afterAll(async () => {
  await prod.close();
  await trusting.close();
  rmSync(dir, { recursive: true, force: true });
});

const clock = { now: () => Date.UTC(2024, 4, 3), sleep: async () => {} };
function source(): Auth0StatsSource {
  const client = createAuth0StatsClient(new Auth0Tenant('acme-prod', prod.domain, 'prod-client', 'TEST_SECRET', SECRET), { fetch: trusting.fetch, clock });
  return { tenant: 'acme-prod', host: 'localhost', dailyStats: (a, b) => client.dailyStats(a, b), activeUsers: () => client.activeUsers() };
}
const line = (n: number, type: string, date: string, extra: Record<string, string> = {}) =>
  JSON.stringify({ log_id: `9${String(n).padStart(55, '0')}`, date, type, tenant_name: 'acme-prod', user_id: `auth0|u${n}`, ...extra });

async function night(name: string, at: Date, extra: { checkpoint?: { objects: number }; stopAfterFirstCommit?: boolean } = {}) {
  const input = path.join(dir, name, 'input');
  const stateDir = path.join(dir, name, 'state');
  const state = await RunState.open({ location: stateDir, timezone: 'UTC', config: configWith(), logger: silentLogger, now: () => at });
  const sink = new CollectingSink();
  const resolver = new SourceResolver();
  const stop = new AbortController();
  const outcome = await runJob({
    inputs: [input], state, config: configWith(), timezone: 'UTC', openSource: (i) => resolver.resolve(i), sinks: [sink], concurrency: 1,
    logger: silentLogger, now: () => at,
    auth0: { sources: [source()], tolerancePercent: 2, statsTimezone: 'UTC', isCredentialsError: isAuth0CredentialsError },
    ...(extra.checkpoint ? { checkpoint: extra.checkpoint } : {}),
    ...(extra.stopAfterFirstCommit ? { signal: stop.signal, hooks: { afterDelivery: () => stop.abort(new Error('SIGTERM')) } } : {}),
  });
  const manifest = JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8'));
  const events = sink.events.map((e: any) => e.event);
  const reconciled = events.filter((e: any) => e.summary === 'reconcile' && e.metric === 'logins').map((e: any) => `${e.day} ${e.logs} ${e.auth0} ${e.status}`);
  const dailies = events.filter((e: any) => e.summary === 'auth0_daily').map((e: any) => e.day);
  return { outcome, pending: manifest.auth0Pending, reconciled, dailies };
}
const inputOf = (name: string) => {
  const input = path.join(dir, name, 'input');
  mkdirSync(input, { recursive: true });
  return input;
};

test('stats/daily read, stats/active-users failing: the days delivered are not asked for (and delivered) again', async () => {
  const input = inputOf('au-fails');
  writeFileSync(path.join(input, 'a.ndjson'), [line(1, 's', '2024-05-01T08:00:00.000Z'), line(2, 's', '2024-05-01T09:00:00.000Z')].join('\n') + '\n');
  prod.failNext('/api/v2/stats/active-users', { kind: 'status', status: 503, body: '{"statusCode":503,"error":"Service Unavailable","message":"down"}' }, 5);
  const first = await night('au-fails', new Date(Date.UTC(2024, 4, 3, 6)));
  expect(first.outcome.exitCode).toBe(3);
  // 05-01's auth0_daily and reconcile went out in night 1 ...
  expect(first.dailies).toEqual(['2024-05-01']);
  expect(first.reconciled).toEqual(['2024-05-01 2 2 match']);
  // ... so nothing of it should wait.
  expect(first.pending?.['acme-prod'] ?? []).toEqual([]);
  writeFileSync(path.join(input, 'b.ndjson'), line(3, 's', '2024-05-03T08:00:00.000Z') + '\n');
  const second = await night('au-fails', new Date(Date.UTC(2024, 4, 4, 6)));
  // night 2 reconciles its own new day only (05-01 again would be a second copy of each summary_id).
  expect(second.reconciled).toEqual(['2024-05-03 1 1 match']);
});

test('a run stopped after a checkpoint: the days its checkpoints committed are reconciled by the next run', async () => {
  const input = inputOf('stopped');
  writeFileSync(path.join(input, 'a.ndjson'), [line(11, 's', '2024-05-01T08:00:00.000Z'), line(12, 's', '2024-05-01T09:00:00.000Z')].join('\n') + '\n');
  writeFileSync(path.join(input, 'b.ndjson'), line(13, 'ss', '2024-05-02T10:00:00.000Z') + '\n');
  const first = await night('stopped', new Date(Date.UTC(2024, 4, 3, 6)), { checkpoint: { objects: 1 }, stopAfterFirstCommit: true });
  expect(first.outcome.checkpoints.commits).toBe(1);
  expect(first.reconciled).toEqual([]);
  // 05-01 was committed by the checkpoint and its statistics never read: it must wait.
  expect(first.pending?.['acme-prod']).toEqual(['2024-05-01']);
  writeFileSync(path.join(input, 'c.ndjson'), line(14, 's', '2024-05-03T08:00:00.000Z') + '\n');
  const second = await night('stopped', new Date(Date.UTC(2024, 4, 4, 6)));
  expect(second.reconciled).toEqual(['2024-05-01 2 2 match', '2024-05-02 0 0 match', '2024-05-03 1 1 match']);
});

test('a waiting day with no login, signup or breached-password record is asked for once its window is walked', async () => {
  const input = inputOf('m2m-only');
  // 05-04 holds only an M2M token exchange (the only traffic of an API-only tenant).
  writeFileSync(path.join(input, 'a.ndjson'), line(21, 'seccft', '2024-05-04T08:00:00.000Z', { client_id: 'c1', audience: 'https://api' }) + '\n');
  prod.failNext('/api/v2/stats/daily', { kind: 'status', status: 503, body: '{"statusCode":503,"error":"Service Unavailable","message":"down"}' }, 5);
  const first = await night('m2m-only', new Date(Date.UTC(2024, 4, 5, 6)));
  expect(first.pending).toEqual({ 'acme-prod': ['2024-05-04'] });
  writeFileSync(path.join(input, 'b.ndjson'), line(22, 'seccft', '2024-05-05T08:00:00.000Z', { client_id: 'c1', audience: 'https://api' }) + '\n');
  const second = await night('m2m-only', new Date(Date.UTC(2024, 4, 6, 6)));
  // Changed, a day like it is reconciled (no login against Auth0's row); waiting, it is too.
  // Auth0 has a row for 05-04 (no logins) and none yet for 05-05.
  expect(second.dailies).toEqual(['2024-05-04']);
  expect(second.reconciled).toEqual(['2024-05-04 0 0 match', '2024-05-05 0 null missing_auth0']);
  expect(second.pending?.['acme-prod'] ?? []).toEqual([]);
});
