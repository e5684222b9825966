/**
 * --hec-ack: a channel GUID on every request, ackIds collected and polled until true; batches never
 * acknowledged are resent (at-least-once, same summary_ids) and, past the resend limit, spooled.
 */
import { readFileSync } from 'node:fs';
import type { SummaryEnvelope } from '../../../../src/rollup/summaryEvent';
import { HecReceiver, type HecReceiverOptions } from '../../../support/hecReceiver';
import { dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { TEST_TOKEN, testSink, ownSpoolFile, readSpoolFile } from '../../../support/hecTestKit';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ackPolicy = { pollIntervalMs: 1, timeoutMs: 2_000, maxResends: 2 };

describe('HecSink with indexer acknowledgement', () => {
  let receiver: HecReceiver;
  afterEach(async () => receiver.close());

  test('acks reported false at first, then true: every batch delivered once, no resend', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ack: { falseForQueries: 2 } });
    const envelopes = dailyEnvelopes(12);
    const { sink } = testSink(receiver, { ack: true, ackPolicy, batchBytes: 2000 });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 12, spooled: 0, rejected: 0 });

    expect(receiver.summaryIds()).toEqual(summaryIds(envelopes));
    const batches = receiver.eventRequests().length;
    expect(batches).toBeGreaterThan(1);
    const channels = new Set(receiver.requests.map((r) => r.headers['x-splunk-request-channel']));
    expect(channels.size).toBe(1);
    expect([...channels][0]).toMatch(GUID);
    const answers = receiver.ackRequests().map((r) => JSON.parse(r.reply) as { acks: Record<string, boolean> });
    const ids = Array.from({ length: batches }, (_, i) => String(i));
    expect(answers).toEqual([
      { acks: Object.fromEntries(ids.map((id) => [id, false])) },
      { acks: Object.fromEntries(ids.map((id) => [id, false])) },
      { acks: Object.fromEntries(ids.map((id) => [id, true])) },
    ]);
    expect(sink.stats()).toMatchObject({ hec_events_sent: 12, hec_requests: batches });
  });

  test('a batch never acknowledged is resent: its summaries arrive twice with the same ids, nothing missing', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ack: { neverAckFirst: 1 } });
    const envelopes = dailyEnvelopes(6);
    const { sink, log } = testSink(receiver, { ack: true, ackPolicy: { ...ackPolicy, timeoutMs: 50 }, batchBytes: 2000 });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 6, spooled: 0, rejected: 0 });

    const ids = summaryIds(envelopes);
    const first = receiver.indexed.filter((e) => e.ackId === 0).map((e) => String(e.envelope.event.summary_id));
    expect(first).toEqual(ids.slice(0, first.length));
    expect(receiver.summaryIds()).toEqual([...ids, ...first]);
    expect(log.lines).toContainEqual(expect.stringContaining('did not acknowledge'));
    expect(sink.stats().hec_events_sent).toBe(6);
  });

  test('never acknowledged after the resends: spooled', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ack: { neverAckFirst: 1000 } });
    const envelopes = dailyEnvelopes(3);
    const { sink, spoolDir } = testSink(receiver, { ack: true, ackPolicy: { pollIntervalMs: 1, timeoutMs: 20, maxResends: 1 } });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 0, spooled: 3, rejected: 0 });

    expect(receiver.eventRequests()).toHaveLength(2); // first send + one resend
    const spooled = readFileSync(ownSpoolFile(spoolDir, 'run-1'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SummaryEnvelope);
    expect(summaryIds(spooled)).toEqual(summaryIds(envelopes));
  });

  test('a later batch refused (token disabled) while earlier ones await their acks: all of them are spooled', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ack: { falseForQueries: 1000 } });
    const envelopes = dailyEnvelopes(12);
    // The first event POST is indexed and handed an ackId; the second is refused for good.
    receiver.inject({ kind: 'pass' });
    receiver.inject({ kind: 'status', status: 403, body: '{"text":"Token disabled","code":1}' });
    const { sink, spoolDir } = testSink(receiver, { ack: true, ackPolicy, batchBytes: 2000 });

    const error = await sink.deliver(envelopes).then(() => undefined, (e: unknown) => e);

    expect(error).toMatchObject({ kind: 'token', hecCode: 1 });
    const first = receiver.indexed.filter((e) => e.ackId === 0).map((e) => String(e.envelope.event.summary_id));
    expect(first.length).toBeGreaterThan(0);
    expect(first).toEqual(summaryIds(envelopes).slice(0, first.length));
    // Never acknowledged, so not known delivered: every one of the 12, the first batch's included, waits in the spool.
    expect(summaryIds(readSpoolFile(ownSpoolFile(spoolDir, 'run-1'))).sort()).toEqual(summaryIds(envelopes).sort());
    expect(sink.stats()).toMatchObject({ hec_events_sent: 0, hec_events_spooled: 12 });
  });

  test('the ack query refused (token disabled after the send): the batches awaiting acks are spooled', async () => {
    const options: HecReceiverOptions = { token: TEST_TOKEN, ack: { falseForQueries: 1000 } };
    // Disabled once the events are indexed: the event POST succeeds, the ack query that follows gets 403 code 1.
    options.onIndexed = () => (options.tokenDisabled = true);
    receiver = await HecReceiver.start(options);
    const envelopes = dailyEnvelopes(3);
    const { sink, spoolDir } = testSink(receiver, { ack: true, ackPolicy });

    const error = await sink.deliver(envelopes).then(() => undefined, (e: unknown) => e);

    expect(error).toMatchObject({ kind: 'token', hecCode: 1 });
    expect(receiver.ackRequests().map((r) => r.status)).toEqual([403]);
    expect(summaryIds(readSpoolFile(ownSpoolFile(spoolDir, 'run-1')))).toEqual(summaryIds(envelopes));
    expect(sink.stats()).toMatchObject({ hec_events_sent: 0, hec_events_spooled: 3 });
  });

  test('a token with acknowledgement off sends no ackId: accepted batches count as delivered, with a warning', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    const envelopes = dailyEnvelopes(3);
    const { sink, log } = testSink(receiver, { ack: true, ackPolicy });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 3, spooled: 0, rejected: 0 });
    expect(receiver.ackRequests()).toEqual([]);
    expect(log.lines).toContainEqual(expect.stringContaining('indexer acknowledgement is off for this token'));
  });
});
