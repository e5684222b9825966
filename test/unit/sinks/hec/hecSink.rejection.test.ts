/**
 * What a retry cannot fix stops the run at once with a message naming the HEC code (events spooled,
 * nothing retried); 413 splits the batch; a single refused event is quarantined and the rest sent.
 */
import { readFileSync } from 'node:fs';
import { HecRejectedError } from '../../../../src/sinks/hec/hecErrors';
import type { HecEventRejection } from '../../../../src/sinks/hec/hecDelivery';
import { rejectedEventItem } from '../../../../src/sinks/hec/rejectedEventItem';
import type { SummaryEnvelope } from '../../../../src/rollup/summaryEvent';
import { HecReceiver, type HecReceiverOptions } from '../../../support/hecReceiver';
import { dailyEnvelope, dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { TEST_TOKEN, testSink, ownSpoolFile } from '../../../support/hecTestKit';

describe('HecSink rejections', () => {
  let receiver: HecReceiver;
  const start = async (options: Partial<HecReceiverOptions> = {}) => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ...options });
  };
  afterEach(async () => receiver?.close());

  test.each([
    ['a wrong token (403 code 4)', { token: 'another-token' }, undefined, 'HEC rejected the token: code 4, Invalid token: check SPLUNK_HEC_TOKEN (or AUTH0_USAGE_HEC_TOKEN)', 'token', 4],
    ['a disabled token (403 code 1)', { tokenDisabled: true }, undefined, 'HEC rejected the token: code 1, Token disabled: enable it in Splunk (Settings > Data inputs > HTTP Event Collector)', 'token', 1],
    ['401 code 2', {}, { kind: 'status', status: 401, body: '{"text":"Token is required","code":2}' }, 'HEC rejected the token: code 2, Token is required: check SPLUNK_HEC_TOKEN (or AUTH0_USAGE_HEC_TOKEN)', 'token', 2],
    ['401 code 3', {}, { kind: 'status', status: 401, body: '{"text":"Invalid authorization","code":3}' }, 'HEC rejected the token: code 3, Invalid authorization: check SPLUNK_HEC_TOKEN (or AUTH0_USAGE_HEC_TOKEN)', 'token', 3],
    ['an index outside the token allow-list (400 code 7)', { allowedIndexes: ['main'] }, undefined, "index 'summary' is not allowed for this token: code 7, Incorrect index: add it to the token's allowed indexes in Splunk, or give --hec-index (config splunk.index) one of them", 'index', 7],
    ['a token that wants acknowledgement (400 code 10)', { ack: {} }, undefined, 'this HEC token requires indexer acknowledgement (code 10, Data channel is missing): pass --hec-ack', 'channel', 10],
    ['a wrong path (404)', {}, { kind: 'status', status: 404, body: 'Not Found', contentType: 'text/plain' }, 'no HEC endpoint at http://127.0.0.1:', 'endpoint', undefined],
  ] as const)('%s: stops at once with a clear message and spools the events', async (_name, receiverOptions, fault, message, kind, code) => {
    await start(receiverOptions);
    if (fault) receiver.inject(fault);
    const envelopes = dailyEnvelopes(5);
    const { sink, waits, spoolDir } = testSink(receiver);

    const error = await sink.deliver(envelopes).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(HecRejectedError);
    expect((error as HecRejectedError).message).toContain(message);
    expect(error).toMatchObject({ kind, hecCode: code, exitCode: 1 });
    expect(receiver.eventRequests()).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(receiver.indexed).toEqual([]);
    const spooled = readFileSync(ownSpoolFile(spoolDir, 'run-1'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as SummaryEnvelope);
    expect(summaryIds(spooled)).toEqual(summaryIds(envelopes));
    expect(sink.stats()).toMatchObject({ hec_events_sent: 0, hec_events_spooled: 5 });
  });

  test('413: the batch is sent in halves until the parts fit, each summary exactly once and in order', async () => {
    const envelopes = dailyEnvelopes(8);
    const oneEvent = Buffer.byteLength(JSON.stringify(envelopes[0]));
    await start({ maxBodyBytes: Math.floor(oneEvent * 2.5) });
    const { sink } = testSink(receiver, { batchBytes: 64 * 1024 });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 8, spooled: 0, rejected: 0 });

    expect(receiver.summaryIds()).toEqual(summaryIds(envelopes));
    // 8 → 413; 4 → 413; 2 + 2 fit; 4 → 413; 2 + 2 fit.
    expect(receiver.eventRequests().map((r) => r.status)).toEqual([413, 413, 200, 200, 413, 200, 200]);
    expect(sink.stats().hec_retries).toBe(0);
  });

  test('413 for a single event: that event is quarantined, the others delivered', async () => {
    const small = dailyEnvelopes(3);
    const huge = dailyEnvelope(10, { host: 'h'.repeat(5000) });
    await start({ maxBodyBytes: 4000 });
    const rejected: Array<[string, HecEventRejection]> = [];
    const { sink } = testSink(receiver, { batchBytes: 1500 }, { onRejectedEvent: (e, why) => void rejected.push([(e.event as { summary_id: string }).summary_id, why]) });

    expect(await sink.deliver([small[0]!, huge, small[1]!, small[2]!])).toEqual({ delivered: 3, spooled: 0, rejected: 1 });

    expect(receiver.summaryIds()).toEqual(summaryIds(small));
    expect(rejected).toEqual([['sid-0010', { status: 413, code: 0, text: 'Event larger than the HEC request size limit' }]]);
  });

  test('400 with invalid-event-number: the events before it count as indexed, the bad one is quarantined, the rest sent', async () => {
    await start();
    const envelopes = dailyEnvelopes(10);
    envelopes[4] = dailyEnvelope(4, { time: Number.NaN }); // serializes as "time":null: HEC code 6
    const rejected: Array<[SummaryEnvelope, HecEventRejection]> = [];
    const { sink, log } = testSink(receiver, { batchBytes: 64 * 1024 }, { onRejectedEvent: (e, why) => void rejected.push([e, why]) });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 9, spooled: 0, rejected: 1 });

    const ids = summaryIds(envelopes);
    expect(receiver.summaryIds()).toEqual([...ids.slice(0, 4), ...ids.slice(5)]);
    expect(receiver.eventRequests().map((r) => [r.status, r.reply])).toEqual([
      [400, '{"text":"Invalid data format","code":6,"invalid-event-number":4}'],
      [200, '{"text":"Success","code":0}'],
    ]);
    expect(rejected).toHaveLength(1);
    expect(summaryIds([rejected[0]![0]])).toEqual(['sid-0004']);
    expect(rejected[0]![1]).toEqual({ status: 400, code: 6, text: 'Invalid data format' });
    expect(rejectedEventItem(...rejected[0]!)).toEqual({
      source: 'hec',
      line: 0,
      reason: 'rejected by HEC: code 6, Invalid data format (HTTP 400)',
      raw: JSON.stringify(envelopes[4]),
    });
    expect(log.lines).toContainEqual(expect.stringContaining('HEC refused event sid-0004: code 6, Invalid data format'));
    expect(sink.counters()).toMatchObject({ eventsSent: 9, eventsRejected: 1, requests: 2, retries: 0 });
  });

  test('a quarantine that fails stops the run, and the refused event and those after it are spooled', async () => {
    await start();
    const envelopes = dailyEnvelopes(5);
    envelopes[2] = dailyEnvelope(2, { time: Number.NaN });
    const { sink, spoolDir } = testSink(receiver, { batchBytes: 64 * 1024 }, { onRejectedEvent: () => Promise.reject(new Error('quarantine file not writable')) });

    await expect(sink.deliver(envelopes)).rejects.toThrow('quarantine file not writable');

    expect(receiver.summaryIds()).toEqual(['sid-0000', 'sid-0001']);
    const spooled = readFileSync(ownSpoolFile(spoolDir, 'run-1'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SummaryEnvelope);
    expect(summaryIds(spooled)).toEqual(['sid-0002', 'sid-0003', 'sid-0004']);
  });

  test('code 7 part-way through a batch: the events before it count as delivered, only the rest is spooled', async () => {
    await start({ allowedIndexes: ['summary'] });
    const envelopes = dailyEnvelopes(4);
    envelopes[2] = dailyEnvelope(2, { index: 'secret' });
    const { sink, spoolDir } = testSink(receiver, { batchBytes: 64 * 1024 });

    await expect(sink.deliver(envelopes)).rejects.toThrow("index 'secret' is not allowed for this token: code 7, Incorrect index");

    expect(receiver.summaryIds()).toEqual(['sid-0000', 'sid-0001']);
    const spooled = readFileSync(ownSpoolFile(spoolDir, 'run-1'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SummaryEnvelope);
    expect(summaryIds(spooled)).toEqual(['sid-0002', 'sid-0003']);
    expect(sink.stats()).toMatchObject({ hec_events_sent: 2, hec_events_spooled: 2 });
  });
});
