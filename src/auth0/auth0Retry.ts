/**
 * Retry timing for Management API calls. The SDK's own retries sleep on the real clock, and neither retry
 * network errors nor cover the token request, so the stats client turns them off and retries here.
 */

export interface Auth0RetryPolicy {
  /** Calls in all, the first included. */
  attempts: number;
  /** Wait before the first retry; doubled for each further one. */
  initialDelayMs: number;
  /** Longest single wait, also for a far-off `x-ratelimit-reset`. */
  maxDelayMs: number;
}

export const DEFAULT_AUTH0_RETRY_POLICY: Auth0RetryPolicy = { attempts: 5, initialDelayMs: 1_000, maxDelayMs: 60_000 };

/** Time as the retry loop sees it; tests pass their own so that nothing really sleeps. */
export interface Auth0Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Auth0Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Wait before retry number `retry` (0 = first). A 429 carries `x-ratelimit-reset` (epoch seconds, when the
 * bucket refills): wait until then. Otherwise exponential backoff. No jitter: a run makes a handful of
 * calls per tenant, one after another, so there is no herd to spread out.
 */
export function auth0RetryDelay(retry: number, policy: Auth0RetryPolicy, nowMs: number, rateLimitReset?: string | null): number {
  if (rateLimitReset != null && /^\d+$/.test(rateLimitReset.trim())) {
    return Math.min(policy.maxDelayMs, Math.max(0, Number(rateLimitReset) * 1000 - nowMs));
  }
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
}
