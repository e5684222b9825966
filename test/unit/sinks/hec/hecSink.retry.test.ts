/**
 * What may succeed later is retried with backoff (the waits are recorded, not slept): busy with
 * Retry-After, 5xx, a proxy's HTML 502, a reset connection, a reply slower than the timeout.
 */
import { HecReceiver } from '../../../support/hecReceiver';
import { dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { TEST_TOKEN, testSink } from '../../../support/hecTestKit';
import { closedLoopbackPort } from '../../../support/closedPort';

describe('HecSink retries', () => {
  let receiver: HecReceiver;
  beforeEach(async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
  });
  afterEach(async () => receiver.close());

  test('busy (503 code 9) twice with Retry-After: waits at least that long, then delivers once', async () => {
    receiver.inject({ kind: 'busy', retryAfterSeconds: 3 }, 2);
    const envelopes = dailyEnvelopes(5);
    const { sink, waits, log } = testSink(receiver);

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 5, spooled: 0, rejected: 0 });

    expect(receiver.summaryIds()).toEqual(summaryIds(envelopes));
    expect(receiver.eventRequests().map((r) => r.status)).toEqual([503, 503, 200]);
    // Backoff alone would wait 0.5 × 1 s and 0.5 × 2 s; Retry-After: 3 raises both to 3 s.
    expect(waits).toEqual([3000, 3000]);
    expect(log.lines.filter((l) => l.startsWith('warn'))[0]).toContain('HTTP 503 (code 9, Server is busy)');
    expect(sink.stats()).toMatchObject({ hec_requests: 3, hec_retries: 2, hec_events_sent: 5 });
  });

  test('a refused connection is retried, and the warning names the host and the cause once each', async () => {
    const port = await closedLoopbackPort();
    // One retry, then past the deadline: the clock reads 0 until the second attempt has failed.
    const clock = [0, 0];
    const { sink, log } = testSink(receiver, { url: `http://127.0.0.1:${port}`, retry: { initialDelayMs: 1_000, maxDelayMs: 1_000, deadlineMs: 1_000 } }, { now: () => clock.shift() ?? 10_000 });
    expect(await sink.deliver(dailyEnvelopes(1))).toMatchObject({ delivered: 0, spooled: 1 });
    const warning = log.lines.find((l) => l.startsWith('warn') && l.includes('; retry 1 in'));
    expect(warning).toMatch(new RegExp(`HEC: 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}; retry 1 in \\d+ ms`));
    expect(warning!.split('ECONNREFUSED').length - 1).toBe(1);
  });

  test('backoff is exponential with full jitter and capped', async () => {
    receiver.inject({ kind: 'internal-error' }, 4);
    const { sink, waits } = testSink(receiver, { retry: { initialDelayMs: 100, maxDelayMs: 400 } });
    await sink.deliver(dailyEnvelopes(1));
    // random() = 0.5 × min(400, 100·2^n) for n = 0..3
    expect(waits).toEqual([50, 100, 200, 200]);
  });

  test.each([
    ['500 code 8', { kind: 'internal-error' } as const],
    ['a proxy 502 with an HTML body', { kind: 'html-502' } as const],
    ['a reset connection', { kind: 'reset' } as const],
    ['429 Too Many Requests', { kind: 'status', status: 429, body: 'slow down', contentType: 'text/plain' } as const],
    ['408 Request Timeout', { kind: 'status', status: 408, body: '' } as const],
    ['504 Gateway Timeout', { kind: 'status', status: 504, body: '<html>504</html>', contentType: 'text/html' } as const],
  ])('%s is retried and every summary arrives exactly once', async (_name, fault) => {
    receiver.inject(fault);
    const envelopes = dailyEnvelopes(6);
    const { sink } = testSink(receiver, { batchBytes: 2000 });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 6, spooled: 0, rejected: 0 });

    expect(receiver.summaryIds()).toEqual(summaryIds(envelopes));
    expect(sink.stats().hec_retries).toBe(1);
  });

  test('the 502 HTML page is reported as a failure, not taken for success', async () => {
    receiver.inject({ kind: 'html-502' });
    const { sink, log } = testSink(receiver);
    await sink.deliver(dailyEnvelopes(1));
    expect(log.lines).toContainEqual(expect.stringContaining('HTTP 502 (not a HEC reply: text/html)'));
    expect(receiver.eventRequests().map((r) => r.status)).toEqual([502, 200]);
  });

  test('a reply slower than the timeout: the first try did land, so the batch arrives twice with the same summary_ids', async () => {
    receiver.inject({ kind: 'slow', delayMs: 5000 });
    const envelopes = dailyEnvelopes(4);
    const { sink, log } = testSink(receiver, { timeoutMs: 500, batchBytes: 2000 });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 4, spooled: 0, rejected: 0 });

    const ids = summaryIds(envelopes);
    const firstBatch = ids.slice(0, receiver.indexed.filter((e) => e.request === 0).length);
    expect(firstBatch.length).toBeGreaterThan(0);
    // Nothing missing; the only repeats are the first batch, resent after the timeout.
    expect(receiver.summaryIds()).toEqual([...firstBatch, ...ids]);
    expect(log.lines).toContainEqual(expect.stringContaining('no reply from'));
    expect(sink.stats().hec_retries).toBe(1);
  });

  test('the connection dropped after HEC took the batch: the batch is resent, arriving twice with the same summary_ids, nothing missing', async () => {
    receiver.inject({ kind: 'reset-after-index' });
    const envelopes = dailyEnvelopes(3);
    const { sink, log } = testSink(receiver);

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 3, spooled: 0, rejected: 0 });

    const ids = summaryIds(envelopes);
    expect(receiver.summaryIds()).toEqual([...ids, ...ids]);
    expect(receiver.eventRequests().map((r) => r.status)).toEqual([0, 200]);
    expect(log.lines).toContainEqual(expect.stringMatching(/^warn HEC: .*ECONNRESET.*; retry 1 in/));
    expect(sink.stats()).toMatchObject({ hec_requests: 2, hec_retries: 1, hec_events_sent: 3 });
  });
});
