/** Retry timing: exponential backoff with full jitter, bounded by a deadline, honouring Retry-After. */

export interface RetryPolicy {
  /** Ceiling of the first wait. */
  initialDelayMs: number;
  /** Largest ceiling any wait can have. */
  maxDelayMs: number;
  /** How long a batch may keep failing, from its first attempt, before it is spooled. */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000, deadlineMs: 300_000 };

/**
 * Wait before retry number `retry` (0 = the first retry): uniform in [0, min(max, initial·2^retry)),
 * "full jitter", so many clients hitting a busy indexer spread out; never shorter than Retry-After.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates start with the day name; Date.parse alone would read "-5" as a year.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
