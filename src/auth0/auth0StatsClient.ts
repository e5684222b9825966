/**
 * Reads one tenant's Management API statistics through the official SDK (`auth0`'s ManagementClient:
 * client-credentials token for `https://DOMAIN/api/v2/`, fetched once and reused). TLS is verified by
 * Node's fetch: system CAs plus NODE_EXTRA_CA_CERTS. Retries are ours (see auth0Retry.ts).
 */
import { ManagementClient, ManagementTimeoutError } from 'auth0';
import { Auth0ResponseError, type Auth0TenantError } from './auth0Errors';
import { redactSecrets, withoutSecret } from '../support/errorText';
import { classifyAuth0Failure, type FailureContext } from './auth0Failure';
import { auth0RetryDelay, DEFAULT_AUTH0_RETRY_POLICY, SYSTEM_CLOCK, type Auth0Clock, type Auth0RetryPolicy } from './auth0Retry';
import type { Auth0Tenant } from './auth0Tenant';
import { parseActiveUsers, parseDailyStats, type DailyStatsRow } from './statsResponse';

export interface Auth0StatsClientOptions {
  /** The fetch the SDK uses for the token and the API; Node's by default (tests pass one that trusts their CA). */
  fetch?: typeof fetch;
  clock?: Auth0Clock;
  retry?: Partial<Auth0RetryPolicy>;
  /**
   * Per API request, the whole answer included; the SDK's token request has its own 10 s. (The SDK's own timeout
   * stops at the response headers: a body that stalls after them would wait for undici's 300 s body timeout.)
   */
  timeoutSeconds?: number;
}

export interface Auth0StatsClient {
  readonly tenant: string;
  /**
   * stats/daily for the days `fromDay`..`toDay` (YYYY-MM-DD, inclusive). `signal` (the run's stop) ends a request
   * or a retry wait at once, rejecting with its reason.
   */
  dailyStats(fromDay: string, toDay: string, signal?: AbortSignal): Promise<DailyStatsRow[]>;
  /** stats/active-users: users who logged in during the last 30 days. */
  activeUsers(signal?: AbortSignal): Promise<number>;
}

/**
 * `work`, or the stop's reason as soon as `signal` fires. Racing as well as aborting the requests (see
 * fetchUnlessStopped): however the SDK settles an aborted request (a token it shares between calls, say), a run
 * told to stop (SIGTERM, with a grace period of seconds) hears the stop at once and is not killed before its commit.
 */
function unlessStopped<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  // The losing side must not surface as an unhandled rejection, even when the stop came first.
  work.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort: () => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, stopped]).finally(() => signal.removeEventListener('abort', onAbort));
}

/** Seconds each API request has for its whole answer when timeoutSeconds is not given. */
export const DEFAULT_AUTH0_TIMEOUT_SECONDS = 30;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function compactDay(day: string): string {
  const match = DAY.exec(day);
  if (!match) throw new RangeError(`not a day (YYYY-MM-DD): ${day}`);
  return `${match[1]}${match[2]}${match[3]}`;
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/**
 * A 2xx answer of the token endpoint, checked before the SDK reads it: the SDK takes `access_token` from any JSON
 * it is given, and without one (or with `null` for a body) fails later with errors that read as if the tenant could
 * not be reached, and were retried as such. Such an answer is not Auth0's (a proxy in the way, a domain that is not
 * the tenant's): one line, never the body (it may echo the secret), not retried. Error answers go to the SDK as they
 * came. The body is read once, so the SDK gets a copy.
 */
async function checkedTokenAnswer(response: Response, tenant: Auth0Tenant): Promise<Response> {
  if (!response.ok) return response;
  const text = await response.text();
  const answered = `the token request to https://${tenant.domain} was answered`;
  const hint = "is a proxy in the way, or is the domain not the tenant's?";
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Auth0ResponseError(tenant.tenant, `${answered} with something that is not JSON: ${hint}`);
  }
  const token = typeof body === 'object' && body !== null ? (body as { access_token?: unknown }).access_token : undefined;
  if (typeof token !== 'string' || token === '') {
    throw new Auth0ResponseError(tenant.tenant, `${answered} (${response.status}) without an access token: ${hint}`);
  }
  return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The error with the secret removed from its message and detail. */
function scrubbed(error: Auth0TenantError, secret: string): Auth0TenantError {
  if (secret === '' || !error.message.includes(secret)) return error;
  error.message = withoutSecret(error.message, secret);
  error.detail = withoutSecret(error.detail, secret);
  return error;
}

export function createAuth0StatsClient(tenant: Auth0Tenant, options: Auth0StatsClientOptions = {}): Auth0StatsClient {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const policy: Auth0RetryPolicy = { ...DEFAULT_AUTH0_RETRY_POLICY, ...options.retry };
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_AUTH0_TIMEOUT_SECONDS;
  const timeoutMs = timeoutSeconds * 1000;
  const redact = (text: string): string => withoutSecret(text, tenant.clientSecret());
  // The SDK's token request takes no signal of ours, only its own 10 s timeout: the fetch it is given adds the stop of
  // the call under way, so a stopped run does not stay alive for a token that is slow to come.
  let callStop: AbortSignal | undefined;
  const baseFetch = options.fetch ?? fetch;
  const tokenUrl = `https://${tenant.domain}/oauth/token`;
  const fetchUnlessStopped: typeof fetch = async (input, init) => {
    const stop = callStop;
    const response = await (stop === undefined ? baseFetch(input, init) : baseFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, stop]) : stop }));
    return urlOf(input) === tokenUrl ? checkedTokenAnswer(response, tenant) : response;
  };
  const management = new ManagementClient({
    domain: tenant.domain,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret(),
    maxRetries: 0,
    timeoutInSeconds: timeoutSeconds,
    fetch: fetchUnlessStopped,
  });

  async function withRetries<T>(
    call: string,
    request: (abortSignal: AbortSignal) => Promise<unknown>,
    parse: (body: unknown) => T | string,
    stop: AbortSignal | undefined,
  ): Promise<T> {
    const ctx: FailureContext = { tenant: tenant.tenant, domain: tenant.domain, clientSecretEnv: tenant.clientSecretEnv, call, redact };
    // One call at a time: each tenant's calls are made in turn.
    callStop = stop;
    for (let attempt = 1; ; attempt++) {
      // A stop that came before this call (during the log summaries' delivery): no request, not even the token's.
      if (stop?.aborted) throw stop.reason;
      let body: unknown;
      // Our deadline covers the body too, which the SDK's timeout (cleared once the headers are in) does not.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      try {
        // The stop reaches the request through fetchUnlessStopped, as it does the token's.
        body = await unlessStopped(request(deadline.signal), stop);
      } catch (thrown) {
        // Stopped: no classification and no retry; the caller hears the stop's own reason.
        if (stop?.aborted) throw stop.reason;
        const timedOut = deadline.signal.aborted ? new ManagementTimeoutError(`Timeout exceeded when calling ${call}.`) : thrown;
        const failure = classifyAuth0Failure(timedOut, ctx);
        if (!failure.retryable) throw scrubbed(failure.error, tenant.clientSecret());
        if (attempt >= policy.attempts) throw scrubbed(failure.error(attempt), tenant.clientSecret());
        // Ended early by the stop, the wait leads to the check at the top of the loop.
        await clock.sleep(auth0RetryDelay(attempt - 1, policy, clock.now(), failure.rateLimit), stop);
        continue;
      } finally {
        clearTimeout(timer);
      }
      const parsed = parse(body);
      if (typeof parsed === 'string') throw new Auth0ResponseError(tenant.tenant, redactSecrets(redact(parsed)));
      return parsed;
    }
  }

  return {
    tenant: tenant.tenant,
    dailyStats: (fromDay, toDay, signal) => {
      const query = { from: compactDay(fromDay), to: compactDay(toDay) };
      return withRetries('GET /api/v2/stats/daily', (abortSignal) => management.stats.getDaily(query, { abortSignal }), parseDailyStats, signal);
    },
    activeUsers: (signal) =>
      withRetries('GET /api/v2/stats/active-users', (abortSignal) => management.stats.getActiveUsersCount({ abortSignal }), (body) => parseActiveUsers(body, redact), signal),
  };
}
