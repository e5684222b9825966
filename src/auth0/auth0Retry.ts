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
  /** Waits `ms`, or less once `signal` fires (the caller then gives up on its own). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: Auth0Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      // Cleared on the stop: a pending timer of up to a minute would keep the stopped process from exiting.
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    }),
};

/**
 * Wait before retry number `retry` (0 = first). A 429 may say when to come back: `Retry-After` (seconds or an
 * HTTP date; the SDK honours it first, so do we), else `x-ratelimit-reset` (epoch seconds, when the bucket
 * refills). A time that is already past here (our clock ahead of Auth0's, a reset rounded to the second) says
 * nothing useful: back off as for any other failure rather than retry at once and burn every attempt in a
 * burst. No jitter: a run makes a handful of calls per tenant, one after another, so there is no herd to spread out.
 */
export function auth0RetryDelay(retry: number, policy: Auth0RetryPolicy, nowMs: number, rateLimit?: { retryAfter?: string | null; reset?: string | null }): number {
  const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
  const until = untilMs(rateLimit, nowMs);
  return until !== undefined && until > 0 ? Math.min(policy.maxDelayMs, until) : backoff;
}

/** How long the 429's headers say to wait, in ms from `nowMs`; undefined when they say nothing usable. */
function untilMs(rateLimit: { retryAfter?: string | null; reset?: string | null } | undefined, nowMs: number): number | undefined {
  const retryAfter = rateLimit?.retryAfter?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return at - nowMs;
  }
  const reset = rateLimit?.reset?.trim();
  if (reset && /^\d+$/.test(reset)) return Number(reset) * 1000 - nowMs;
  return undefined;
}
