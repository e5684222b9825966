/**
 * Auth0 statistics that wait for a later run (StateManifest.auth0Pending), over the real SDK and a fake tenant on
 * loopback: each API day's auth0_daily and reconcile summaries are sent once, never twice and never not at all.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  return { outcome, pending: manifest.auth0Pending, reconciled, dailies, events };
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
  // Auth0 has a row for 05-04 (no logins) and none yet for 05-05, which waits for the next run to ask again.
  expect(second.dailies).toEqual(['2024-05-04']);
  expect(second.reconciled).toEqual(['2024-05-04 0 0 match', '2024-05-05 0 null missing_auth0']);
  expect(second.pending).toEqual({ 'acme-prod': ['2024-05-05'] });
});

test('statistics that could not be read are asked for again by the next run of the state, with the day not over yet', async () => {
  const input = inputOf('two-nights');
  // Two logins on 05-01, a signup on 05-02.
  writeFileSync(path.join(input, 'night1.ndjson'), [line(1, 's', '2024-05-01T08:00:00.000Z'), line(2, 's', '2024-05-01T09:00:00.000Z'), line(3, 'ss', '2024-05-02T10:00:00.000Z')].join('\n') + '\n');
  const asked = (from: number) => prod.requests.slice(from).filter((r) => r.path === '/api/v2/stats/daily' && r.status === 200).map((r) => r.query);

  // Night 1, 05-03 06:00: Auth0 answers 503 to every attempt (5). Exit 3, committed, both days waiting.
  prod.failNext('/api/v2/stats/daily', { kind: 'status', status: 503, body: '{"statusCode":503,"error":"Service Unavailable","message":"down"}' }, 5);
  const first = await night('two-nights', new Date(Date.UTC(2024, 4, 3, 6)));
  expect(first.outcome.exitCode).toBe(3);
  expect(first.outcome.committed).toBe(true);
  expect(first.events.filter((e: any) => e.summary === 'reconcile' && e.metric !== 'active_users_30d')).toEqual([]);
  expect(first.pending).toEqual({ 'acme-prod': ['2024-05-01', '2024-05-02'] });

  // Night 2, 05-04 06:00: one new login on 05-03 and one on 05-04 (not over yet). The two waiting days are asked
  // for with the new one and reconciled as a match; 05-04 waits.
  writeFileSync(path.join(input, 'night2.ndjson'), [line(4, 's', '2024-05-03T08:00:00.000Z'), line(5, 's', '2024-05-04T01:00:00.000Z')].join('\n') + '\n');
  const before = prod.requests.length;
  const second = await night('two-nights', new Date(Date.UTC(2024, 4, 4, 6)));
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
    { sources: [source()], tolerancePercent: 2, statsTimezone: 'UTC', isCredentialsError: isAuth0CredentialsError },
    reconcile, waiting, meta, () => new Date(Date.UTC(2024, 4, 3, 6)), log,
  );
  expect(prod.requests.slice(before).filter((r) => r.path === '/api/v2/stats/daily').map((r) => r.query)).toEqual([{ from: '20240501', to: '20240502' }]);
  expect([...new Set(outcome.summaries.filter((e) => e.event.summary === 'reconcile').map((e) => (e.event as { day: string }).day))]).toEqual(['2024-05-01', '2024-05-02']);
  // 04-20 waits on; a tenant no longer configured is dropped with its days.
  expect(outcome.pending).toEqual({ 'acme-prod': ['2024-04-20'] });
  const warned = lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'warn');
  expect(warned).toEqual([expect.objectContaining({ tenant: 'acme-prod', days: 1, first: '2024-03-01', last: '2024-03-01' })]);
});

test('a day over that stats/daily answers without (not rolled up yet) is asked for again by the next run, which reconciles it', async () => {
  const input = inputOf('rolled-up-late');
  // Two logins on 06-10, a signup on 06-11, a login on 06-12 before the first night's run.
  writeFileSync(
    path.join(input, 'night1.ndjson'),
    [line(31, 's', '2024-06-10T08:00:00.000Z'), line(32, 's', '2024-06-10T09:00:00.000Z'), line(33, 'ss', '2024-06-11T10:00:00.000Z'), line(35, 's', '2024-06-12T01:00:00.000Z')].join('\n') + '\n',
  );
  const asked = (from: number) => prod.requests.slice(from).filter((r) => r.path === '/api/v2/stats/daily' && r.status === 200).map((r) => r.query);
  // Night 1, 06-12 06:00: Auth0 has rolled up 06-10 and not yet 06-11.
  prod.addDaily(apiDailyRow('2024-06-10', 2, 0));
  let before = prod.requests.length;
  const first = await night('rolled-up-late', new Date(Date.UTC(2024, 5, 12, 6)));
  expect(first.outcome.exitCode).toBe(0);
  expect(asked(before)).toEqual([{ from: '20240610', to: '20240611' }]);
  expect(first.dailies).toEqual(['2024-06-10']);
  expect(first.reconciled).toEqual(['2024-06-10 2 2 match', '2024-06-11 0 null missing_auth0']);
  // 06-11 to be asked again, 06-12 not over yet: both wait.
  expect(first.pending).toEqual({ 'acme-prod': ['2024-06-11', '2024-06-12'] });

  // Night 2, 06-13 06:00: a second login on 06-12; Auth0 has rolled up 06-11 and 06-12 by now.
  prod.addDaily(apiDailyRow('2024-06-11', 0, 1), apiDailyRow('2024-06-12', 2, 0));
  writeFileSync(path.join(input, 'night2.ndjson'), line(34, 's', '2024-06-12T08:00:00.000Z') + '\n');
  before = prod.requests.length;
  const second = await night('rolled-up-late', new Date(Date.UTC(2024, 5, 13, 6)));
  expect(second.outcome.exitCode).toBe(0);
  expect(asked(before)).toEqual([{ from: '20240611', to: '20240612' }]);
  expect(second.dailies).toEqual(['2024-06-11', '2024-06-12']);
  // 06-11's rows go out again under their summary_ids, now with Auth0's figures: the signup matches.
  const rows = second.events.filter((e: any) => e.summary === 'reconcile' && ['logins', 'signups'].includes(e.metric));
  expect(rows.map((e: any) => `${e.day} ${e.metric} ${e.logs} ${e.auth0} ${e.status}`)).toEqual([
    '2024-06-11 logins 0 0 match', '2024-06-11 signups 1 1 match',
    '2024-06-12 logins 2 2 match', '2024-06-12 signups 0 0 match',
  ]);
  expect(first.events.filter((e: any) => e.summary === 'reconcile' && e.day === '2024-06-11' && e.metric === 'signups').map((e: any) => e.summary_id)).toEqual(
    rows.filter((e: any) => e.day === '2024-06-11' && e.metric === 'signups').map((e: any) => e.summary_id),
  );
  expect(second.pending?.['acme-prod'] ?? []).toEqual([]);
});

test('a day stats/daily never has a row for is asked for again only until 3 days after it ended, then given up with a log line', async () => {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', stream: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
  const counts = { logins: 1, signups: 0, breached_passwords: 0 };
  // The call is on 07-24 at 06:00 (UTC). Auth0 has no row for any day of July. 07-20 and 07-21 waited from earlier
  // runs that found no row; this run changed 07-23 and walked all three.
  // 07-20 ended at 07-21 00:00, 3 days and 6 hours before the call: given up. 07-21 ended 2 days and 6 hours before,
  // 07-23 6 hours before: asked again by the next run.
  const reconcile = new Map([['acme-prod', { days: ['2024-07-23'], counts: new Map(['2024-07-20', '2024-07-21', '2024-07-23'].map((day) => [day, counts])), unknown: new Set<string>() }]]);
  const meta = { runId: 'r', generatedAt: '2024-07-24T06:00:00.000Z', source: 'auth0-usage', sourcetype: 'auth0:usage' };
  const options = { sources: [source()], tolerancePercent: 2, statsTimezone: 'UTC', isCredentialsError: isAuth0CredentialsError };
  const before = prod.requests.length;
  const outcome = await readAuth0Stats(options, reconcile, { 'acme-prod': ['2024-07-20', '2024-07-21'] }, meta, () => new Date(Date.UTC(2024, 6, 24, 6)), log);
  expect(prod.requests.slice(before).filter((r) => r.path === '/api/v2/stats/daily').map((r) => r.query)).toEqual([{ from: '20240720', to: '20240723' }]);
  expect(outcome.errors.count).toBe(0);
  // Each of the three days is reconciled as missing_auth0, for each of the three metrics; no auth0_daily.
  const reconciled = outcome.summaries.filter((e) => e.event.summary === 'reconcile' && (e.event as { metric: string }).metric !== 'active_users_30d');
  expect(reconciled.map((e) => `${(e.event as { day: string }).day} ${(e.event as { status: string }).status}`)).toEqual([
    '2024-07-20 missing_auth0', '2024-07-20 missing_auth0', '2024-07-20 missing_auth0',
    '2024-07-21 missing_auth0', '2024-07-21 missing_auth0', '2024-07-21 missing_auth0',
    '2024-07-23 missing_auth0', '2024-07-23 missing_auth0', '2024-07-23 missing_auth0',
  ]);
  expect(outcome.summaries.filter((e) => e.event.summary === 'auth0_daily')).toEqual([]);
  expect(outcome.pending).toEqual({ 'acme-prod': ['2024-07-21', '2024-07-23'] });
  const logged = lines.map((line) => JSON.parse(line)).filter((line) => line.tenant === 'acme-prod');
  expect(logged.map((line) => [line.days, line.first, line.last])).toEqual([
    [2, '2024-07-21', '2024-07-23'],
    [1, '2024-07-20', '2024-07-20'],
  ]);
  expect(logged[0].msg).toMatch(/next run asks for them again/);
  expect(logged[1].msg).toMatch(/not asked for again/);

  // Without a --state nothing waits, and the line about the missing rows does not promise otherwise.
  lines.length = 0;
  const alone = await readAuth0Stats(options, reconcile, undefined, meta, () => new Date(Date.UTC(2024, 6, 24, 6)), log);
  // Only the day this run changed, 07-23, is asked: its three metrics.
  expect(alone.summaries.filter((e) => e.event.summary === 'reconcile').length).toBe(3);
  const messages = lines.map((line) => JSON.parse(line)).filter((line) => line.tenant === 'acme-prod').map((line) => line.msg as string);
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatch(/without --state/);
  expect(messages[0]).not.toMatch(/next run/);
});

test('without a --state nothing waits: the log lines do not promise that the next run asks again', async () => {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', stream: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
  const counts = { logins: 1, signups: 0, breached_passwords: 0 };
  // 05-02 is over at the call (05-03 06:00), 05-03 is the API's open day.
  const reconcile = new Map([['acme-prod', { days: ['2024-05-02', '2024-05-03'], counts: new Map([['2024-05-02', counts], ['2024-05-03', counts]]), unknown: new Set<string>() }]]);
  const down: Auth0StatsSource = {
    tenant: 'acme-prod', host: 'localhost',
    dailyStats: async () => { throw new Error('cannot reach the tenant'); },
    activeUsers: async () => 1,
  };
  const meta = { runId: 'r', generatedAt: '2024-05-03T06:00:00.000Z', source: 'auth0-usage', sourcetype: 'auth0:usage' };
  await readAuth0Stats(
    { sources: [down], tolerancePercent: 2, statsTimezone: 'UTC', isCredentialsError: isAuth0CredentialsError },
    reconcile, undefined, meta, () => new Date(Date.UTC(2024, 4, 3, 6)), log,
  );
  const messages = lines.map((l) => JSON.parse(l).msg as string);
  expect(messages.length).toBe(2);
  for (const msg of messages) {
    expect(msg).not.toMatch(/next run/);
    expect(msg).toMatch(/without --state/);
  }
});

test('a configured tenant with no records while others have some is named in a warning, with the tenants the logs hold', async () => {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', stream: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
  const counts = { logins: 2, signups: 0, breached_passwords: 0 };
  // The logs hold acme-prod; the config also names 'acme-prd' (a typo), which no record carries.
  const reconcile = new Map([['acme-prod', { days: ['2024-05-02'], counts: new Map([['2024-05-02', counts]]), unknown: new Set<string>() }]]);
  const typo: Auth0StatsSource = { tenant: 'acme-prd', host: 'localhost', dailyStats: async () => [], activeUsers: async () => 1 };
  const meta = { runId: 'r', generatedAt: '2024-05-03T06:00:00.000Z', source: 'auth0-usage', sourcetype: 'auth0:usage' };
  await readAuth0Stats(
    { sources: [source(), typo], tolerancePercent: 2, statsTimezone: 'UTC', isCredentialsError: isAuth0CredentialsError },
    reconcile, {}, meta, () => new Date(Date.UTC(2024, 4, 3, 6)), log,
  );
  const warned = lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'warn');
  expect(warned).toEqual([expect.objectContaining({ tenant: 'acme-prd', tenants_in_logs: ['acme-prod'] })]);
  expect(warned[0].msg).toMatch(/no log records of this Auth0 statistics tenant/);
  // A tenant the state has days of had a quiet night: no warning.
  lines.length = 0;
  await readAuth0Stats(
    { sources: [source(), typo], tolerancePercent: 2, statsTimezone: 'UTC', isCredentialsError: isAuth0CredentialsError },
    reconcile, {}, meta, () => new Date(Date.UTC(2024, 4, 3, 6)), log, undefined, new Set(['acme-prod', 'acme-prd']),
  );
  expect(lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'warn')).toEqual([]);
});
