/**
 * The stop signal (SIGTERM in the CLI): the sink stops waiting — no backoff sleep, no further retry, no
 * more acknowledgement polls — and spools every event not yet delivered, as after a passed deadline. A
 * request already on its way gets its reply.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HecReceiver } from '../../../support/hecReceiver';
import { dailyEnvelope, dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { TEST_TOKEN, testSink, ownSpoolName } from '../../../support/hecTestKit';

const STOP = new Error('stopped by SIGTERM');

function spooledIds(file: string | undefined): string[] {
  if (file === undefined) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => String(JSON.parse(line).event.summary_id));
}

/** A sleep that never ends on its own (a long Retry-After) and aborts `controller` once it has begun. */
function sleepThatStops(controller: AbortController): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms) =>
      new Promise<void>(() => {
        waits.push(ms);
        setImmediate(() => controller.abort(STOP));
      }),
  };
}

describe('HecSink stopped by its signal', () => {
  let receiver: HecReceiver;
  afterEach(async () => receiver.close());

  test('during a backoff wait: the wait ends, nothing is retried, every event is spooled, later calls spool at once', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    receiver.injectAlways({ kind: 'busy', retryAfterSeconds: 600 });
    const controller = new AbortController();
    const { sleep, waits } = sleepThatStops(controller);
    const envelopes = dailyEnvelopes(5);
    const { sink, log } = testSink(receiver, { batchBytes: 2000, retry: { deadlineMs: 3_600_000 } }, { signal: controller.signal, sleep });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 0, spooled: 5, rejected: 0 });

    // One POST, answered busy; its Retry-After wait (600 s) was begun and cut short.
    expect(receiver.eventRequests().map((r) => r.status)).toEqual([503]);
    expect(waits).toEqual([600_000]);
    expect(log.lines).toContainEqual('warn HEC delivery gave up (stopped by SIGTERM); spooling what is left');
    expect(spooledIds(sink.spoolFile)).toEqual(summaryIds(envelopes));

    // The run event that follows is spooled without a request.
    const runEvent = dailyEnvelope(99);
    expect(await sink.deliver([runEvent])).toEqual({ delivered: 0, spooled: 1, rejected: 0 });
    expect(receiver.eventRequests()).toHaveLength(1);
    expect(spooledIds(sink.spoolFile)).toEqual([...summaryIds(envelopes), 'sid-0099']);
    expect(sink.stats()).toMatchObject({ hec_requests: 1, hec_retries: 1, hec_events_sent: 0, hec_events_spooled: 6 });
  });

  test('stopped before delivery: no request at all; earlier spool files stay and are counted', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    const controller = new AbortController();
    controller.abort(STOP);
    const { sink, spoolDir } = testSink(receiver, {}, { signal: controller.signal });
    const earlier = path.join(spoolDir, 'hec-earlier-run.ndjson');
    writeFileSync(earlier, [dailyEnvelope(50), dailyEnvelope(51)].map((e) => `${JSON.stringify(e)}\n`).join(''));
    const envelopes = dailyEnvelopes(3);

    // 3 of this call and the 2 still waiting in the earlier file.
    expect(await sink.deliver(envelopes)).toEqual({ delivered: 0, spooled: 5, rejected: 0 });

    expect(receiver.requests).toHaveLength(0);
    expect(spooledIds(earlier)).toEqual(['sid-0050', 'sid-0051']);
    expect(spooledIds(sink.spoolFile)).toEqual(summaryIds(envelopes));
    expect(readdirSync(spoolDir).sort()).toEqual(['hec-earlier-run.ndjson', ownSpoolName('run-1')]);
  });

  test('a request already on its way gets its reply: its events count as delivered, the rest is spooled', async () => {
    const controller = new AbortController();
    // The first batch is indexed, and the stop arrives before its (slow) reply.
    receiver = await HecReceiver.start({ token: TEST_TOKEN, onIndexed: () => controller.abort(STOP) });
    receiver.inject({ kind: 'slow', delayMs: 300 });
    const envelopes = dailyEnvelopes(8);
    const { sink } = testSink(receiver, { batchBytes: 2000 }, { signal: controller.signal });

    const result = await sink.deliver(envelopes);

    expect(receiver.eventRequests()).toHaveLength(1);
    const first = receiver.summaryIds();
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(8);
    expect(result).toEqual({ delivered: first.length, spooled: 8 - first.length, rejected: 0 });
    // Nothing lost, nothing both delivered and spooled.
    expect([...first, ...spooledIds(sink.spoolFile)]).toEqual(summaryIds(envelopes));
  });

  test('while polling for acknowledgement: polling stops and the unacknowledged batches are spooled', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ack: { neverAckFirst: 1000 } });
    const controller = new AbortController();
    let polls = 0;
    // The first poll waits as usual; the second wait is where the stop arrives (and never ends by itself).
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        polls++;
        if (polls === 1) setImmediate(resolve);
        else setImmediate(() => controller.abort(STOP));
        void ms;
      });
    const envelopes = dailyEnvelopes(6);
    const { sink, log } = testSink(
      receiver,
      { ack: true, ackPolicy: { pollIntervalMs: 1, timeoutMs: 3_600_000, maxResends: 2 }, batchBytes: 2000 },
      { signal: controller.signal, sleep },
    );

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 0, spooled: 6, rejected: 0 });

    const batches = receiver.eventRequests().length;
    expect(batches).toBeGreaterThan(1);
    // Every batch sent once (no resend), one ack query before the stop, none after.
    expect(receiver.summaryIds()).toEqual(summaryIds(envelopes));
    expect(receiver.ackRequests()).toHaveLength(1);
    expect(spooledIds(sink.spoolFile)).toEqual(summaryIds(envelopes));
    expect(log.lines).toContainEqual(`warn HEC: ${batches} batches not yet acknowledged; spooling them`);
  });
});
