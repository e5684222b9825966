/** HecSink over real sockets to the test receiver: what arrives is exactly our envelopes, once, in order. */
import { HecReceiver } from '../../../support/hecReceiver';
import { dailyEnvelope, dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { TEST_TOKEN, testSink } from '../../../support/hecTestKit';

describe('HecSink delivery', () => {
  let receiver: HecReceiver;
  beforeEach(async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
  });
  afterEach(async () => receiver.close());

  test('every envelope arrives exactly once, in order, and exactly as given', async () => {
    const envelopes = dailyEnvelopes(40);
    const { sink } = testSink(receiver, { batchBytes: 4096 });

    const result = await sink.deliver(envelopes);

    expect(result).toEqual({ delivered: 40, spooled: 0, rejected: 0 });
    // Deep equality with the input: same keys, `time` still the number we gave, `event` not wrapped.
    expect(receiver.events()).toEqual(JSON.parse(JSON.stringify(envelopes)));
    expect(receiver.events()[0]!.time).toBe(1_709_251_200);
  });

  test('batches stay within --hec-batch-bytes and are as full as they can be', async () => {
    const envelopes = dailyEnvelopes(40);
    const batchBytes = 4096;
    const { sink } = testSink(receiver, { batchBytes });
    await sink.deliver(envelopes);

    const bodies = receiver.eventRequests().map((request) => request.body);
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(batchBytes);
    // Maximal: the next batch's first envelope would not have fitted into the previous batch.
    for (let i = 1; i < bodies.length; i++) {
      const firstOfNext = JSON.stringify(receiver.indexed.find((e) => e.request === i)!.envelope);
      expect(Buffer.byteLength(bodies[i - 1]!) + Buffer.byteLength(firstOfNext)).toBeGreaterThan(batchBytes);
    }
    // Back to back, no separator: the concatenated bodies are the envelopes' JSON joined with "".
    expect(bodies.join('')).toBe(envelopes.map((e) => JSON.stringify(e)).join(''));
  });

  test('an envelope larger than the batch size travels alone', async () => {
    const envelopes = dailyEnvelopes(3);
    const { sink } = testSink(receiver, { batchBytes: 100 });
    await sink.deliver(envelopes);
    expect(receiver.eventRequests()).toHaveLength(3);
    expect(receiver.summaryIds()).toEqual(summaryIds(envelopes));
  });

  test('requests go to /services/collector/event with the token, JSON content type and no channel', async () => {
    const { sink } = testSink(receiver);
    await sink.deliver(dailyEnvelopes(2));
    const [request] = receiver.eventRequests();
    expect(request!.path).toBe('/services/collector/event');
    expect(request!.headers.authorization).toBe(`Splunk ${TEST_TOKEN}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-splunk-request-channel']).toBeUndefined();
  });

  test('index, sourcetype and source from the options replace the envelope values; nothing else changes', async () => {
    const envelope = dailyEnvelope(5);
    const { sink } = testSink(receiver, { index: 'auth0_summary', sourcetype: 'auth0:usage:v1', source: 'nightly' });
    await sink.deliver([envelope]);
    expect(receiver.events()).toEqual([
      { time: envelope.time, host: 'batch-01', source: 'nightly', sourcetype: 'auth0:usage:v1', index: 'auth0_summary', event: JSON.parse(JSON.stringify(envelope.event)) },
    ]);
  });

  test('a base URL naming the endpoint itself is cut back to the base', async () => {
    const { sink } = testSink(receiver, { url: `${receiver.url}/services/collector/event` });
    await sink.deliver([dailyEnvelope(0)]);
    expect(receiver.eventRequests().map((r) => r.path)).toEqual(['/services/collector/event']);
  });

  test('stats() gives the run event its hec_* fields', async () => {
    const { sink } = testSink(receiver, { batchBytes: 4096 });
    await sink.deliver(dailyEnvelopes(40));
    await sink.deliver([dailyEnvelope(99)]);
    expect(sink.stats()).toEqual({
      hec_requests: receiver.eventRequests().length,
      hec_retries: 0,
      hec_events_sent: 41,
      hec_events_spooled: 0,
      hec_events_rejected: 0,
    });
  });

  test('an empty delivery sends nothing', async () => {
    const { sink } = testSink(receiver);
    expect(await sink.deliver([])).toEqual({ delivered: 0, spooled: 0, rejected: 0 });
    expect(receiver.requests).toEqual([]);
  });
});
