/**
 * An Auth0 tenant for tests, over HTTPS on loopback: `POST /oauth/token` (client credentials; checks the
 * client id, secret and audience), `GET /api/v2/stats/daily` and `GET /api/v2/stats/active-users` with
 * bearer checks, Auth0's error bodies (401, 403 insufficient_scope, 429 with x-ratelimit-* headers) and
 * faults scripted per test. It records every request in order.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { selfSignedCertificate, type TestCertificate } from './hecCertificate';

/** A stats/daily row as Auth0 returns it. */
export interface ApiDailyRow {
  date: string;
  logins: number;
  signups: number;
  leaked_passwords: number;
  updated_at: string;
  created_at: string;
}

export interface FakeTenantOptions {
  tls: { key: string; cert: string };
  clientId: string;
  clientSecret: string;
  /** Scopes granted to the client's tokens. */
  scopes?: readonly string[];
  /** Rows stats/daily can return, any order; days without a row are simply absent from answers. */
  daily?: readonly ApiDailyRow[];
  activeUsers?: number;
  tokenLifetimeSeconds?: number;
  /** Epoch seconds for the x-ratelimit-reset of answers that are not scripted 429s. */
  nowSeconds?: () => number;
}

export type TenantRoute = '/oauth/token' | '/api/v2/stats/daily' | '/api/v2/stats/active-users';

export type TenantFault =
  | { kind: 'rate-limit'; resetAtSeconds: number; retryAfterSeconds?: number }
  | { kind: 'status'; status: number; body: string; headers?: Record<string, string | number> }
  | { kind: 'reset' }
  /** 200 and the headers, then the first byte of the body, and nothing more: a connection that stalls mid-answer. */
  | { kind: 'stall-body' };

export interface RecordedTenantRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  /** The form fields of a token request (secret included: the tests look for it elsewhere). */
  form?: Record<string, string>;
  status: number;
}

export interface FakeAuth0Tenant {
  /** `localhost:PORT`, what the SDK takes as `domain`. */
  domain: string;
  requests: RecordedTenantRequest[];
  /** The next `times` requests to `route` get `fault` instead of an answer. */
  failNext(route: TenantRoute, fault: TenantFault, times?: number): void;
  /** Tokens issued from now on carry these scopes. */
  setScopes(scopes: readonly string[]): void;
  /** Rows stats/daily answers with from now on, beside the others: a day Auth0 has rolled up since. */
  addDaily(...rows: readonly ApiDailyRow[]): void;
  close(): Promise<void>;
}

const RATE_LIMIT = 50;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Management API error body, as Auth0 writes it. */
function apiError(status: number, error: string, message: string, errorCode?: string): string {
  return JSON.stringify({ statusCode: status, error, message, ...(errorCode ? { errorCode } : {}) });
}

const COMPACT_DAY = /^(\d{4})(\d{2})(\d{2})$/;

export async function startFakeAuth0Tenant(options: FakeTenantOptions): Promise<FakeAuth0Tenant> {
  const requests: RecordedTenantRequest[] = [];
  const faults = new Map<string, TenantFault[]>();
  const tokens = new Map<string, { scopes: readonly string[]; expiresAt: number }>();
  let scopes = options.scopes ?? ['read:stats'];
  const daily = [...(options.daily ?? [])];
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  let remaining = RATE_LIMIT;
  let domain = '';

  const rateHeaders = () => ({ 'x-ratelimit-limit': RATE_LIMIT, 'x-ratelimit-remaining': remaining, 'x-ratelimit-reset': nowSeconds() + 1 });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `https://${domain}`);
    const record: RecordedTenantRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      status: 0,
    };
    requests.push(record);
    const body = await readBody(req);
    const answer = (status: number, text: string, headers: Record<string, string | number> = {}) => {
      record.status = status;
      send(res, status, text, headers);
    };

    const fault = faults.get(url.pathname)?.shift();
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'stall-body') {
      record.status = 200;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': 100 });
      res.write('[');
      return;
    }
    if (fault?.kind === 'status') return answer(fault.status, fault.body, fault.headers);
    if (fault?.kind === 'rate-limit') {
      return answer(429, apiError(429, 'Too Many Requests', 'Global limit has been reached', 'too_many_requests'), {
        'x-ratelimit-limit': RATE_LIMIT,
        'x-ratelimit-remaining': 0,
        'x-ratelimit-reset': fault.resetAtSeconds,
        ...(fault.retryAfterSeconds === undefined ? {} : { 'retry-after': fault.retryAfterSeconds }),
      });
    }

    if (url.pathname === '/oauth/token') {
      if (req.method !== 'POST') return answer(404, apiError(404, 'Not Found', 'Not Found'));
      const form = Object.fromEntries(new URLSearchParams(body));
      record.form = form;
      if (form.grant_type !== 'client_credentials') {
        return answer(403, JSON.stringify({ error: 'unauthorized_client', error_description: `Grant type '${form.grant_type}' not allowed for the client.` }));
      }
      if (form.client_id !== options.clientId || form.client_secret !== options.clientSecret) {
        return answer(401, JSON.stringify({ error: 'access_denied', error_description: 'Unauthorized' }));
      }
      if (form.audience !== `https://${domain}/api/v2/`) {
        return answer(403, JSON.stringify({ error: 'access_denied', error_description: `Service not enabled within domain: ${form.audience}` }));
      }
      const token = randomBytes(24).toString('base64url');
      const lifetime = options.tokenLifetimeSeconds ?? 86_400;
      tokens.set(token, { scopes, expiresAt: nowSeconds() + lifetime });
      return answer(200, JSON.stringify({ access_token: token, scope: scopes.join(' '), expires_in: lifetime, token_type: 'Bearer' }));
    }

    if (!url.pathname.startsWith('/api/v2/')) return answer(404, apiError(404, 'Not Found', 'Not Found'));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined) return answer(401, apiError(401, 'Unauthorized', 'Missing authentication'));
    const grant = tokens.get(bearer);
    if (grant === undefined || grant.expiresAt <= nowSeconds()) {
      return answer(401, JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } }));
    }
    if (!grant.scopes.includes('read:stats')) {
      return answer(403, apiError(403, 'Forbidden', 'Insufficient scope, expected any of: read:stats', 'insufficient_scope'));
    }
    remaining = Math.max(0, remaining - 1);
    if (req.method === 'GET' && url.pathname === '/api/v2/stats/active-users') {
      return answer(200, JSON.stringify(options.activeUsers ?? 0), rateHeaders());
    }
    if (req.method === 'GET' && url.pathname === '/api/v2/stats/daily') {
      const from = url.searchParams.get('from');
      const to = url.searchParams.get('to');
      for (const [name, value] of [['from', from], ['to', to]] as const) {
        if (value !== null && !COMPACT_DAY.test(value)) {
          return answer(400, apiError(400, 'Bad Request', `Query validation error: '${name}' must be a date in YYYYMMDD format`, 'invalid_query_string'));
        }
      }
      const iso = (compact: string | null) => (compact === null ? undefined : compact.replace(COMPACT_DAY, '$1-$2-$3'));
      const [fromDay, toDay] = [iso(from), iso(to)];
      const rows = [...daily]
        .filter((row) => (fromDay === undefined || row.date.slice(0, 10) >= fromDay) && (toDay === undefined || row.date.slice(0, 10) <= toDay))
        .sort((a, b) => a.date.localeCompare(b.date));
      return answer(200, JSON.stringify(rows), rateHeaders());
    }
    return answer(404, apiError(404, 'Not Found', 'Not Found'));
  }

  const server = https.createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    handle(req, res).catch((err: Error) => send(res, 500, apiError(500, 'Internal Server Error', err.message)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  domain = `localhost:${(server.address() as AddressInfo).port}`;

  return {
    domain,
    requests,
    failNext(route, fault, times = 1) {
      const queue = faults.get(route) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      faults.set(route, queue);
    },
    setScopes(next) {
      scopes = next;
    },
    addDaily(...rows) {
      daily.push(...rows);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A day's stats/daily row: `date` at midnight UTC, timestamps a little after, as Auth0 shows them. */
/**
 * A fake tenant with a fresh self-signed certificate, written to `dir/ca.pem`: the built CLI started with
 * NODE_EXTRA_CA_CERTS set to `caFile` trusts it, as it would trust a corporate CA.
 */
export async function startTrustedFakeAuth0Tenant(dir: string, options: Omit<FakeTenantOptions, 'tls'>): Promise<{ tenant: FakeAuth0Tenant; caFile: string; certificate: TestCertificate }> {
  const certificate = await selfSignedCertificate();
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  return { tenant: await startFakeAuth0Tenant({ tls: certificate, ...options }), caFile, certificate };
}

export function apiDailyRow(day: string, logins: number, signups: number, leakedPasswords = 0): ApiDailyRow {
  return {
    date: `${day}T00:00:00.000Z`,
    logins,
    signups,
    leaked_passwords: leakedPasswords,
    updated_at: `${day}T23:59:58.000Z`,
    created_at: `${day}T00:00:04.000Z`,
  };
}
