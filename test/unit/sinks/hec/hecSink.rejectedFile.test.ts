/**
 * An event HEC refuses on its own is never lost: with no quarantine handler it is kept in
 * `<spool>/rejected-<run id>.ndjson` (never resent), counted, reported in the result and logged with
 * where it went.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HEC_RUN_FIELDS } from '../../../../src/sinks/hec/hecStats';
import { HecReceiver, type HecReceiverOptions } from '../../../support/hecReceiver';
import { dailyEnvelope, dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { TEST_TOKEN, testSink } from '../../../support/hecTestKit';

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);

describe('HecSink without a quarantine handler', () => {
  let receiver: HecReceiver;
  const start = async (options: Partial<HecReceiverOptions> = {}) => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ...options });
  };
  afterEach(async () => receiver?.close());

  test('400 invalid-event-number: the refused event is kept in rejected-<run id>.ndjson, counted and reported', async () => {
    await start();
    const envelopes = dailyEnvelopes(10);
    envelopes[4] = dailyEnvelope(4, { time: Number.NaN }); // serializes as "time":null: HEC code 6
    const { sink, log, spoolDir } = testSink(receiver, { batchBytes: 64 * 1024 });

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 9, spooled: 0, rejected: 1 });

    const ids = summaryIds(envelopes);
    expect(receiver.summaryIds()).toEqual([...ids.slice(0, 4), ...ids.slice(5)]);
    const file = path.join(spoolDir, 'rejected-run-1.ndjson');
    expect(readdirSync(spoolDir)).toEqual(['rejected-run-1.ndjson']);
    // The envelope as it was sent: NaN went out as null.
    const sent = { ...dailyEnvelope(4), time: null };
    expect(lines(file)).toEqual([{ reason: 'rejected by HEC: code 6, Invalid data format (HTTP 400)', envelope: sent }]);
    expect(log.lines).toContainEqual(`warn HEC refused event sid-0004: code 6, Invalid data format (HTTP 400); kept in ${file}`);
    expect(sink.stats()).toEqual({ hec_requests: 2, hec_retries: 0, hec_events_sent: 9, hec_events_spooled: 0, hec_events_rejected: 1 });
    expect(readFileSync(file, 'utf8')).not.toContain(TEST_TOKEN);
    expect(log.lines.join('\n')).not.toContain(TEST_TOKEN);
  });

  test('413 for a single event: kept in the rejected file; a later run does not resend that file', async () => {
    const small = dailyEnvelopes(2);
    const huge = dailyEnvelope(10, { host: 'h'.repeat(5000) });
    await start({ maxBodyBytes: 4000 });
    const run1 = testSink(receiver, { batchBytes: 1500 });

    expect(await run1.sink.deliver([small[0]!, huge, small[1]!])).toEqual({ delivered: 2, spooled: 0, rejected: 1 });

    const file = path.join(run1.spoolDir, 'rejected-run-1.ndjson');
    expect(lines(file)).toEqual([{ reason: 'rejected by HEC: code 0, Event larger than the HEC request size limit (HTTP 413)', envelope: huge }]);
    const before = readFileSync(file, 'utf8');

    const run2 = testSink(receiver, { spoolDir: run1.spoolDir }, { runId: 'run-2' });
    expect(await run2.sink.deliver([dailyEnvelope(20)])).toEqual({ delivered: 1, spooled: 0, rejected: 0 });

    expect(receiver.summaryIds()).toEqual(['sid-0000', 'sid-0001', 'sid-0020']);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(run2.log.lines.filter((l) => l.includes('re-sending'))).toEqual([]);
  });

  test('with a quarantine handler: no rejected file, the log names the quarantine file, the count is reported', async () => {
    await start();
    const envelopes = dailyEnvelopes(3);
    envelopes[1] = dailyEnvelope(1, { time: Number.NaN });
    const handled: string[] = [];
    const { sink, log, spoolDir } = testSink(
      receiver,
      { batchBytes: 64 * 1024 },
      { onRejectedEvent: (e) => void handled.push(summaryIds([e])[0]!), quarantineFile: '/var/q/quarantine.ndjson' },
    );

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 2, spooled: 0, rejected: 1 });

    expect(handled).toEqual(['sid-0001']);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(log.lines).toContainEqual('warn HEC refused event sid-0001: code 6, Invalid data format (HTTP 400); quarantined to /var/q/quarantine.ndjson');
    expect(sink.stats().hec_events_rejected).toBe(1);
  });

  test('the run event field list includes hec_events_rejected', () => {
    expect(HEC_RUN_FIELDS).toEqual(['hec_requests', 'hec_retries', 'hec_events_sent', 'hec_events_spooled', 'hec_events_rejected']);
  });
});
