/** Backoff arithmetic and Retry-After parsing, with values worked out by hand. */
import { backoffDelay, parseRetryAfter } from '../../../../src/sinks/hec/backoff';

const policy = { initialDelayMs: 1_000, maxDelayMs: 30_000, deadlineMs: 300_000 };

describe('backoffDelay', () => {
  test('full jitter: uniform below min(cap, 1 s · 2^n)', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0.999))).toEqual([999, 1998, 3996, 7992, 15984, 29970, 29970]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  test('never shorter than Retry-After', () => {
    expect(backoffDelay(0, policy, () => 0.5, 7_000)).toBe(7_000);
    expect(backoffDelay(5, policy, () => 0.5, 2_000)).toBe(15_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2024, 2, 1, 12, 0, 0);

  test('delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(['3'], now)).toBe(3_000);
  });

  test('an HTTP date, counted from now (never negative)', () => {
    expect(parseRetryAfter('Fri, 01 Mar 2024 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 01 Mar 2024 11:00:00 GMT', now)).toBe(0);
  });

  test('absent or unreadable: undefined', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
