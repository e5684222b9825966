import { inspect } from 'node:util';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Auth0Tenant } from '../../../src/auth0/auth0Tenant';
import { createAuth0StatsClient } from '../../../src/auth0/auth0StatsClient';
import type { Auth0Error } from '../../../src/auth0/auth0Errors';
import { selfSignedCertificate, type TestCertificate } from '../../support/hecCertificate';
import { apiDailyRow, startFakeAuth0Tenant, type FakeAuth0Tenant, type FakeTenantOptions } from '../../support/fakeAuth0Tenant';
import { fetchTrusting, type TrustingFetch } from '../../support/trustingFetch';
import { rejectionOf } from '../../support/rejectionOf';

const CLIENT_ID = 'stats-reader-client';
const SECRET = 'sEcReT-9f3a7c1e-never-shown';
const NOW_MS = 1_705_400_000_000; // 2024-01-16T10:13:20Z

/** A clock that records each wait and moves on by it, so nothing really sleeps. */
function steppingClock() {
  let now = NOW_MS;
  const slept: number[] = [];
  return {
    slept,
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
    },
  };
}

let certificate: TestCertificate;
let trusting: TrustingFetch;
let tenant: FakeAuth0Tenant | undefined;

beforeAll(async () => {
  certificate = await selfSignedCertificate();
  trusting = fetchTrusting(certificate.cert);
});
afterAll(() => trusting.close());
afterEach(async () => {
  await tenant?.close();
  tenant = undefined;
});

async function start(options: Partial<FakeTenantOptions> = {}): Promise<FakeAuth0Tenant> {
  tenant = await startFakeAuth0Tenant({ tls: certificate, clientId: CLIENT_ID, clientSecret: SECRET, ...options });
  return tenant;
}

function credentials(domain: string, secret = SECRET): Auth0Tenant {
  return new Auth0Tenant('acme-prod', domain, CLIENT_ID, 'ACME_PROD_AUTH0_SECRET', secret);
}

const ROWS = [apiDailyRow('2024-01-14', 120, 7, 1), apiDailyRow('2024-01-15', 98, 3), apiDailyRow('2024-01-16', 40, 0), apiDailyRow('2024-01-20', 1, 1)];

test('reads stats/daily for a day range and stats/active-users with one client-credentials token', async () => {
  const fake = await start({ daily: ROWS, activeUsers: 4321 });
  const { clock, slept } = steppingClock();
  const client = createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock });

  const rows = await client.dailyStats('2024-01-14', '2024-01-16');
  expect(rows).toEqual([
    { day: '2024-01-14', date: '2024-01-14T00:00:00.000Z', logins: 120, signups: 7, leaked_passwords: 1, updated_at: '2024-01-14T23:59:58.000Z', created_at: '2024-01-14T00:00:04.000Z' },
    { day: '2024-01-15', date: '2024-01-15T00:00:00.000Z', logins: 98, signups: 3, leaked_passwords: 0, updated_at: '2024-01-15T23:59:58.000Z', created_at: '2024-01-15T00:00:04.000Z' },
    { day: '2024-01-16', date: '2024-01-16T00:00:00.000Z', logins: 40, signups: 0, leaked_passwords: 0, updated_at: '2024-01-16T23:59:58.000Z', created_at: '2024-01-16T00:00:04.000Z' },
  ]);
  expect(await client.activeUsers()).toBe(4321);

  expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
    'POST /oauth/token 200',
    'GET /api/v2/stats/daily 200',
    'GET /api/v2/stats/active-users 200',
  ]);
  expect(fake.requests[0]!.form).toMatchObject({ grant_type: 'client_credentials', client_id: CLIENT_ID, audience: `https://${fake.domain}/api/v2/` });
  expect(fake.requests[1]!.query).toEqual({ from: '20240114', to: '20240116' });
  expect(fake.requests[1]!.authorization).toMatch(/^Bearer \S+$/);
  expect(fake.requests[2]!.authorization).toBe(fake.requests[1]!.authorization);
  expect(slept).toEqual([]);
});

test('a wrong secret is one clear line naming the variable, never the secret, and is not retried', async () => {
  const fake = await start();
  const wrong = 'wrong-secret-5e1d';
  const err = await rejectionOf<Auth0Error>(createAuth0StatsClient(credentials(fake.domain, wrong), { fetch: trusting.fetch, clock: steppingClock().clock }).activeUsers());
  expect(err.code).toBe('ERR_AUTH0_CREDENTIALS');
  expect(err.message).toBe(
    'tenant acme-prod: the token request was refused (401 access_denied: Unauthorized): check the client id and the secret in ACME_PROD_AUTH0_SECRET',
  );
  expect(err.message).not.toContain(wrong);
  expect(inspect(err)).not.toContain(wrong);
  expect(fake.requests).toHaveLength(1);
});

test('a token without read:stats gives auth0_missing_scope with what to do', async () => {
  const fake = await start({ scopes: ['read:users'] });
  const err = await rejectionOf<Auth0Error>(createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock: steppingClock().clock }).dailyStats('2024-01-14', '2024-01-14'));
  expect(err.code).toBe('ERR_AUTH0_SCOPE');
  expect(err.message).toMatch(
    /^tenant acme-prod: GET \/api\/v2\/stats\/daily was refused \(403 insufficient_scope: Insufficient scope, expected any of: read:stats\): grant read:stats to the application/,
  );
  expect(err.message).not.toContain('\n');
  expect(fake.requests.map((r) => r.status)).toEqual([200, 403]);
});

test('429 waits until x-ratelimit-reset, then succeeds', async () => {
  const fake = await start({ activeUsers: 17 });
  // First reset 7 s after NOW; the second at NOW + 10 s, when the clock has already moved on 7 s: 3 s more.
  fake.failNext('/api/v2/stats/active-users', { kind: 'rate-limit', resetAtSeconds: NOW_MS / 1000 + 7 });
  fake.failNext('/api/v2/stats/active-users', { kind: 'rate-limit', resetAtSeconds: NOW_MS / 1000 + 10 });
  const { clock, slept } = steppingClock();
  expect(await createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock }).activeUsers()).toBe(17);
  expect(slept).toEqual([7_000, 3_000]);
  expect(fake.requests.map((r) => r.status)).toEqual([200, 429, 429, 200]);
});

test('5xx backs off 1 s, 2 s, 4 s; still failing after the last attempt gives auth0_server_error', async () => {
  const fake = await start({ daily: ROWS });
  fake.failNext('/api/v2/stats/daily', { kind: 'status', status: 503, body: '{"statusCode":503,"error":"Service Unavailable","message":"try later"}' }, 3);
  const { clock, slept } = steppingClock();
  const client = createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock });
  expect((await client.dailyStats('2024-01-20', '2024-01-20')).map((r) => r.logins)).toEqual([1]);
  expect(slept).toEqual([1_000, 2_000, 4_000]);

  fake.failNext('/api/v2/stats/daily', { kind: 'status', status: 500, body: '{"statusCode":500,"error":"Internal Server Error","message":"boom"}' }, 5);
  slept.length = 0;
  const err = await rejectionOf<Auth0Error>(client.dailyStats('2024-01-20', '2024-01-20'));
  expect(err.code).toBe('ERR_AUTH0_SERVER');
  expect(err.message).toBe('tenant acme-prod: server error 500 Internal Server Error: boom on GET /api/v2/stats/daily after 5 attempts');
  expect(slept).toEqual([1_000, 2_000, 4_000, 8_000]);
});

test('rate limited on every attempt gives auth0_rate_limited; a far-off reset is capped at the longest wait', async () => {
  const fake = await start();
  fake.failNext('/api/v2/stats/active-users', { kind: 'rate-limit', resetAtSeconds: NOW_MS / 1000 + 3600 }, 3);
  const { clock, slept } = steppingClock();
  const client = createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock, retry: { attempts: 3, maxDelayMs: 20_000 } });
  const err = await rejectionOf<Auth0Error>(client.activeUsers());
  expect(err.code).toBe('ERR_AUTH0_RATE_LIMITED');
  expect(err.message).toBe('tenant acme-prod: still rate limited (429) on GET /api/v2/stats/active-users after 3 attempts');
  expect(slept).toEqual([20_000, 20_000]);
});

test('a token request that fails with 5xx or a reset connection is retried', async () => {
  const fake = await start({ activeUsers: 5 });
  fake.failNext('/oauth/token', { kind: 'status', status: 502, body: '<html>bad gateway</html>' });
  fake.failNext('/oauth/token', { kind: 'reset' });
  const { clock, slept } = steppingClock();
  expect(await createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock }).activeUsers()).toBe(5);
  expect(slept).toEqual([1_000, 2_000]);
  expect(fake.requests.map((r) => `${r.path} ${r.status}`)).toEqual(['/oauth/token 502', '/oauth/token 0', '/oauth/token 200', '/api/v2/stats/active-users 200']);
});

test('an address nobody listens on gives auth0_unreachable after every attempt', async () => {
  // A port that was free a moment ago: connections are refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const { clock, slept } = steppingClock();
  const err = await rejectionOf<Auth0Error>(createAuth0StatsClient(credentials(`localhost:${port}`), { fetch: trusting.fetch, clock, retry: { attempts: 2 } }).activeUsers());
  expect(err.code).toBe('ERR_AUTH0_UNREACHABLE');
  expect(err.message).toBe(`tenant acme-prod: cannot reach https://localhost:${port} for the token request (ECONNREFUSED) after 2 attempts`);
  expect(slept).toEqual([1_000]);
});

test('an untrusted certificate is auth0_tls at once, with the fix', async () => {
  const fake = await start();
  const { clock, slept } = steppingClock();
  // Node's own fetch: system CAs only, which do not include the test's certificate.
  const err = await rejectionOf<Auth0Error>(createAuth0StatsClient(credentials(fake.domain), { clock }).activeUsers());
  expect(err.code).toBe('ERR_AUTH0_TLS');
  expect(err.message).toMatch(/^tenant acme-prod: the TLS certificate of https:\/\/localhost:\d+ is not trusted \([A-Z_]+\): point NODE_EXTRA_CA_CERTS at its CA file$/);
  expect(slept).toEqual([]);
  expect(fake.requests).toEqual([]);
});

test('a body of the wrong shape is auth0_bad_response, not retried', async () => {
  const fake = await start();
  fake.failNext('/api/v2/stats/daily', { kind: 'status', status: 200, body: '[{"date":"2024-01-14T00:00:00.000Z","logins":"many","signups":1}]' });
  fake.failNext('/api/v2/stats/active-users', { kind: 'status', status: 200, body: '{"count":3}' });
  const client = createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock: steppingClock().clock });
  const daily = await rejectionOf<Auth0Error>(client.dailyStats('2024-01-14', '2024-01-14'));
  expect(daily.code).toBe('ERR_AUTH0_RESPONSE');
  expect(daily.message).toMatch(/^tenant acme-prod: stats\/daily answered an unexpected body \(0\.logins: /);
  const active = await rejectionOf<Auth0Error>(client.activeUsers());
  expect(active.message).toBe('tenant acme-prod: stats/active-users answered {"count":3}, not a count');
});

test('the tenant never shows its secret when printed or serialized', () => {
  const t = credentials('acme-prod.us.auth0.com');
  expect(JSON.stringify(t)).not.toContain(SECRET);
  expect(inspect(t, { depth: 5, showHidden: true })).not.toContain(SECRET);
  expect(JSON.stringify({ ...t })).not.toContain(SECRET);
  expect(t.clientSecret()).toBe(SECRET);
});

test('a 429 whose x-ratelimit-reset is already past (clock skew, a whole-second reset) backs off instead of retrying at once', async () => {
  const fake = await start({ activeUsers: 9 });
  // The tenant's clock is 2 s behind ours: its reset second is already over here.
  fake.failNext('/api/v2/stats/active-users', { kind: 'rate-limit', resetAtSeconds: NOW_MS / 1000 - 2 }, 4);
  const { clock, slept } = steppingClock();
  expect(await createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock }).activeUsers()).toBe(9);
  expect(slept).toEqual([1_000, 2_000, 4_000, 8_000]);
});

test('a 429 with Retry-After waits that long, as the SDK would', async () => {
  const fake = await start({ activeUsers: 9 });
  fake.failNext('/api/v2/stats/active-users', { kind: 'status', status: 429, body: '{"statusCode":429,"error":"Too Many Requests","message":"slow down"}', headers: { 'retry-after': 30 } });
  const { clock, slept } = steppingClock();
  expect(await createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock }).activeUsers()).toBe(9);
  expect(slept).toEqual([30_000]);
});

test('an answer that stalls after its headers times out like one that never came, and is retried', async () => {
  const fake = await start({ daily: ROWS });
  fake.failNext('/api/v2/stats/daily', { kind: 'stall-body' });
  const { clock, slept } = steppingClock();
  const client = createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock, timeoutSeconds: 1 });
  // Our 1 s deadline ends the stalled answer (the SDK's own bound, cleared once the headers are in, never would), and
  // the retry waits its 1 s backoff on the stepping clock.
  expect((await client.dailyStats('2024-01-20', '2024-01-20')).map((r) => r.logins)).toEqual([1]);
  expect(slept).toEqual([1_000]);
  fake.failNext('/api/v2/stats/daily', { kind: 'stall-body' }, 2);
  const err = await rejectionOf<Auth0Error>(createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock, timeoutSeconds: 1, retry: { attempts: 2 } }).dailyStats('2024-01-20', '2024-01-20'));
  expect(err.code).toBe('ERR_AUTH0_UNREACHABLE');
  expect(err.message).toBe(`tenant acme-prod: cannot reach https://${fake.domain} for GET /api/v2/stats/daily (timeout) after 2 attempts`);
}, 15_000);

test('a certificate for another host name says so, not that its CA is untrusted', async () => {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'other.example' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true }, { name: 'subjectAltName', altNames: [{ type: 2, value: 'other.example' }] }],
  });
  tenant = await startFakeAuth0Tenant({ tls: { key: pems.private, cert: pems.cert }, clientId: CLIENT_ID, clientSecret: SECRET });
  const trustingOther = fetchTrusting(pems.cert);
  try {
    const err = await rejectionOf<Auth0Error>(createAuth0StatsClient(credentials(tenant.domain), { fetch: trustingOther.fetch, clock: steppingClock().clock }).activeUsers());
    expect(err.code).toBe('ERR_AUTH0_TLS');
    expect(err.message).toBe(
      `tenant acme-prod: the TLS certificate of https://${tenant.domain} is not issued for that host name (ERR_TLS_CERT_ALTNAME_INVALID): use the tenant's own domain (the name on its certificate)`,
    );
  } finally {
    await trustingOther.close();
  }
});

test('a token request answered 200 with a page that is not JSON (a proxy, a captive portal) is auth0_bad_response at once', async () => {
  const fake = await start();
  fake.failNext('/oauth/token', { kind: 'status', status: 200, body: '<html>captive portal</html>', headers: { 'content-type': 'text/html' } }, 5);
  const client = createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock: steppingClock().clock });
  const error = await rejectionOf<Auth0Error>(client.activeUsers());
  expect(error.code).toBe('ERR_AUTH0_RESPONSE');
  expect(error.message).toBe(`tenant acme-prod: the token request to https://${fake.domain} was answered with something that is not JSON: is a proxy in the way, or is the domain not the tenant's?`);
  expect(fake.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(1);
});

test.each([
  ['an object without access_token', JSON.stringify({ scope: 'read:stats', expires_in: 86400, token_type: 'Bearer' })],
  ['an empty access_token', JSON.stringify({ access_token: '', expires_in: 86400, token_type: 'Bearer' })],
  ['an access_token that is not a string', JSON.stringify({ access_token: 12345, expires_in: 86400, token_type: 'Bearer' })],
  ['JSON null', 'null'],
  ['a JSON string', JSON.stringify('ok')],
  ['an object echoing the client secret', JSON.stringify({ error: 'server_error', error_description: `bad ${SECRET}` })],
])('a token request answered 200 with %s is ERR_AUTH0_RESPONSE at once, not "cannot reach"', async (_name, body) => {
  const fake = await start({ activeUsers: 3 });
  fake.failNext('/oauth/token', { kind: 'status', status: 200, body }, 5);
  const { clock, slept } = steppingClock();
  const error = await rejectionOf<Auth0Error>(createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock }).activeUsers());
  expect(error.code).toBe('ERR_AUTH0_RESPONSE');
  expect(error.message).toBe(
    `tenant acme-prod: the token request to https://${fake.domain} was answered (200) without an access token: is a proxy in the way, or is the domain not the tenant's?`,
  );
  expect(error.message).not.toContain(SECRET.slice(0, 6));
  // One token request, no retry and no API call made with a token that is not one.
  expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /oauth/token 200']);
  expect(slept).toEqual([]);
});

test('after a token answer without an access token, the next call asks for a token again', async () => {
  const fake = await start({ activeUsers: 3 });
  fake.failNext('/oauth/token', { kind: 'status', status: 200, body: '{}' });
  const client = createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock: steppingClock().clock });
  expect((await rejectionOf<Auth0Error>(client.activeUsers())).code).toBe('ERR_AUTH0_RESPONSE');
  expect(await client.activeUsers()).toBe(3);
  expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /oauth/token 200', 'POST /oauth/token 200', 'GET /api/v2/stats/active-users 200']);
});

test('an error body that echoes the Management API token or the client secret never carries either into the message', async () => {
  const fake = await start({ activeUsers: 3 });
  const client = createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock: steppingClock().clock, retry: { attempts: 1 } });
  expect(await client.activeUsers()).toBe(3);
  const bearer = fake.requests[1]!.authorization!; // "Bearer <token>": the token the client holds and reuses
  const token = bearer.replace(/^Bearer /, '');
  const echoes: Array<[number, string]> = [
    [401, JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: `Invalid token ${bearer}` })],
    [403, JSON.stringify({ statusCode: 403, error: 'Forbidden', message: `Insufficient scope for ${bearer}`, errorCode: 'insufficient_scope' })],
    [400, JSON.stringify({ statusCode: 400, error: 'Bad Request', message: `bad ${bearer}` })],
    [500, JSON.stringify({ statusCode: 500, error: 'Internal', message: `oops ${bearer}` })],
    [200, JSON.stringify({ weird: bearer })],
  ];
  for (const [status, body] of echoes) {
    fake.failNext('/api/v2/stats/active-users', { kind: 'status', status, body });
    const err = await rejectionOf<Auth0Error>(client.activeUsers());
    expect(err.message).toContain('[redacted]');
    expect(err.message).not.toContain(token.slice(0, 8));
  }

  // The token endpoint echoing the secret just where the message is cut: not even its first characters are left.
  await fake.close();
  tenant = undefined;
  const other = await start();
  other.failNext('/oauth/token', {
    kind: 'status',
    status: 401,
    body: JSON.stringify({ error: 'access_denied', error_description: `${'x'.repeat(160)} wrong secret ${SECRET}` }),
  });
  const err = await rejectionOf<Auth0Error>(createAuth0StatsClient(credentials(other.domain), { fetch: trusting.fetch, clock: steppingClock().clock }).activeUsers());
  expect(err.code).toBe('ERR_AUTH0_CREDENTIALS');
  expect(err.message).not.toContain(SECRET.slice(0, 6));
});

test('a stats/active-users answer that is not a count and echoes the client secret where it is cut: none of the secret is left', async () => {
  const fake = await start({ activeUsers: 3 });
  // 'stats/active-users answered ' then the body's JSON text, cut at 80 characters: the secret straddles the cut.
  fake.failNext('/api/v2/stats/active-users', { kind: 'status', status: 200, body: JSON.stringify({ echo: `${'x'.repeat(55)} ${SECRET}` }) });
  const client = createAuth0StatsClient(credentials(fake.domain), { fetch: trusting.fetch, clock: steppingClock().clock, retry: { attempts: 1 } });
  const err = await rejectionOf<Auth0Error>(client.activeUsers());
  expect(err.code).toBe('ERR_AUTH0_RESPONSE');
  expect(err.message).toContain('not a count');
  expect(err.message).not.toContain(SECRET.slice(0, 6));
});

test('a stop ends a token request under way: the fetch the SDK is given carries the stop of the call', async () => {
  const fake = await start({ daily: ROWS });
  // The token endpoint sends its headers and stalls: the SDK's own bound on it is a 10 s timeout.
  fake.failNext('/oauth/token', { kind: 'stall-body' });
  const tokenSignals: AbortSignal[] = [];
  let tokenAsked!: () => void;
  const asked = new Promise<void>((resolve) => (tokenAsked = resolve));
  const recording: typeof fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith('/oauth/token')) {
      tokenSignals.push(init!.signal!);
      tokenAsked();
    }
    return trusting.fetch(input, init);
  };
  const stop = new AbortController();
  const call = createAuth0StatsClient(credentials(fake.domain), { fetch: recording, clock: steppingClock().clock }).dailyStats('2024-01-20', '2024-01-20', stop.signal);
  await asked;
  stop.abort(new Error('stopped by SIGTERM'));
  await expect(call).rejects.toThrow('stopped by SIGTERM');
  expect(tokenSignals.length).toBe(1);
  expect(tokenSignals[0]!.aborted).toBe(true);
});
