/**
 * A run hands its summaries to the sink in chunks as it builds them (`deliver(chunk, { more: true })`), then
 * calls it once more without `more` (often with no events), then with the run event.
 */
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SummaryEnvelope } from '../../../../src/rollup/summaryEvent';
import { HecReceiver } from '../../../support/hecReceiver';
import { dailyEnvelope, dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { TEST_TOKEN, tempDir, testSink, ownSpoolFile, ownSpoolName } from '../../../support/hecTestKit';

/** Summary n as this run (run-1) built it again, with newer figures than the spooled copy (logins 1000 + n). */
const rebuilt = (n: number) => dailyEnvelope(n, { event: { ...dailyEnvelope(n).event, logins: 1000 + n, run_id: 'run-1' } });

/** A failed night's spool file in `spoolDir`: summaries 0-5 with its figures (logins 100 + n). */
function failedNightSpool(spoolDir: string): string {
  const file = path.join(spoolDir, 'hec-run-failed.ndjson');
  writeFileSync(file, dailyEnvelopes(6).map((e) => `${JSON.stringify(e)}\n`).join(''));
  return file;
}

/** [summary_id, logins] of each event in a spool file, in order. */
const spooledFigures = (file: string) =>
  readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { event: { summary_id: string; logins: number } }).event).map((e) => [e.summary_id, e.logins]);

describe('HecSink given the summaries in chunks', () => {
  let receiver: HecReceiver;
  afterEach(async () => receiver.close());

  test('acknowledgements are checked once, by the last call, not after every chunk', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ack: {} });
    const envelopes = dailyEnvelopes(9);
    const { sink } = testSink(receiver, { ack: true, ackPolicy: { pollIntervalMs: 1, timeoutMs: 2_000, maxResends: 2 } });

    const results = [];
    for (const chunk of [envelopes.slice(0, 3), envelopes.slice(3, 6), envelopes.slice(6)]) results.push(await sink.deliver(chunk, { more: true }));
    expect(receiver.eventRequests()).toHaveLength(3);
    expect(receiver.ackRequests()).toHaveLength(0);
    results.push(await sink.deliver([]));

    // One query asks for the three batches' ackIds (0, 1, 2), all true at once; they count as delivered then.
    expect(receiver.ackRequests().map((r) => Object.keys((JSON.parse(r.reply) as { acks: object }).acks))).toEqual([['0', '1', '2']]);
    expect(results).toEqual([
      { delivered: 0, spooled: 0, rejected: 0 },
      { delivered: 0, spooled: 0, rejected: 0 },
      { delivered: 0, spooled: 0, rejected: 0 },
      { delivered: 9, spooled: 0, rejected: 0 },
    ]);
    expect(receiver.summaryIds()).toEqual(summaryIds(envelopes));
  });

  test('after a fatal error every later chunk is spooled without a request, and the call fails the same way', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, tokenDisabled: true });
    const envelopes = dailyEnvelopes(6);
    const { sink, spoolDir, log } = testSink(receiver);

    await expect(sink.deliver(envelopes.slice(0, 3), { more: true })).rejects.toThrow('Token disabled');
    expect(receiver.eventRequests()).toHaveLength(1);
    await expect(sink.deliver(envelopes.slice(3), { more: true })).rejects.toThrow('Token disabled');
    await expect(sink.deliver([])).rejects.toThrow('Token disabled');
    expect(receiver.eventRequests()).toHaveLength(1);

    // Both chunks in this run's one spool file, in order; one warning says so, the later addition is info.
    expect(readdirSync(spoolDir)).toEqual([ownSpoolName('run-1')]);
    const spooled = readFileSync(ownSpoolFile(spoolDir, 'run-1'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SummaryEnvelope);
    expect(summaryIds(spooled)).toEqual(summaryIds(envelopes));
    const spoolLines = log.lines.filter((line) => line.includes('spooled to'));
    expect(spoolLines.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(['warn HEC: 3', 'info HEC: 3']);
  });

  test('a spool file whose last line was cut short (a crash while spooling): the whole lines are resent, that one skipped', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    const { sink, spoolDir, log } = testSink(receiver);
    const whole = dailyEnvelopes(3);
    const cut = JSON.stringify(dailyEnvelopes(1, 10)[0]).slice(0, 40);
    writeFileSync(path.join(spoolDir, 'hec-crashed.ndjson'), whole.map((e) => `${JSON.stringify(e)}\n`).join('') + cut);

    expect(await sink.deliver([])).toEqual({ delivered: 0, spooled: 0, rejected: 0 });
    expect(receiver.summaryIds()).toEqual(summaryIds(whole));
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(log.lines).toContainEqual(expect.stringMatching(/^warn HEC spool file .*hec-crashed\.ndjson ends in a line cut short/));
  });

  test('when the run is rebuilt after a stop (--state), only run events are spooled', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, tokenDisabled: true });
    const { sink, spoolDir, log } = testSink(receiver, {}, { rebuiltIfStopped: true });
    const runEvent = { time: 1, host: 'h', source: 'auth0-usage', sourcetype: 'auth0:usage', event: { summary: 'run', run_id: 'run-1' } } as unknown as SummaryEnvelope;

    await expect(sink.deliver(dailyEnvelopes(3), { more: true })).rejects.toThrow('Token disabled');
    await expect(sink.deliver(dailyEnvelopes(2, 10))).rejects.toThrow('Token disabled');
    expect(readdirSync(spoolDir)).toEqual([]);
    await expect(sink.deliver([runEvent])).rejects.toThrow('Token disabled');

    const spooled = readFileSync(ownSpoolFile(spoolDir, 'run-1'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SummaryEnvelope);
    expect(spooled.map((e) => e.event.summary)).toEqual(['run']);
    expect(log.lines.filter((line) => line.includes('not spooled'))).toEqual([
      'info HEC: 3 summaries not spooled (3 in all): this run is not committed, so running the same command again builds and sends them',
      'info HEC: 2 summaries not spooled (5 in all): this run is not committed, so running the same command again builds and sends them',
    ]);
  });

  test('a spooled summary this run builds again, in any chunk, is superseded: each summary_id reaches HEC once, with the new figures', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    const spoolDir = tempDir();
    // A failed night's spool: summaries 0-5 with its figures (logins 100 + n), then its run event.
    const failedRun = { ...dailyEnvelope(99), event: { summary: 'run', run_id: 'run-failed', status: 'failed' } } as unknown as SummaryEnvelope;
    writeFileSync(path.join(spoolDir, 'hec-run-failed.ndjson'), [...dailyEnvelopes(6), failedRun].map((e) => `${JSON.stringify(e)}\n`).join(''));
    const { sink, log } = testSink(receiver, { spoolDir });

    // Tonight rebuilds 0-4, the last two only in the second chunk (after the spool was read); 5 only the failed night had.
    await sink.deliver([0, 1, 2].map(rebuilt), { more: true });
    await sink.deliver([3, 4].map(rebuilt), { more: true });
    // Without acknowledgement each chunk counts as delivered in its own call; spool re-sends are not this run's.
    expect(await sink.deliver([])).toEqual({ delivered: 0, spooled: 0, rejected: 0 });

    const received = receiver.events().map((e) => [e.event.summary_id ?? e.event.summary, e.event.logins]);
    expect(received).toEqual([
      ['sid-0000', 1000], ['sid-0001', 1001], ['sid-0002', 1002], ['sid-0003', 1003], ['sid-0004', 1004],
      ['sid-0005', 105],
      ['run', undefined],
    ]);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(sink.counters()).toMatchObject({ spoolSuperseded: 5, spoolResent: 2, eventsSent: 7 });
    expect(log.lines).toContain(`info HEC: 5 spooled summaries from ${path.join(spoolDir, 'hec-run-failed.ndjson')} not sent: this run sent the same summary_id with the latest figures`);
  });

  test('delivery stopped: the spool file keeps only the summaries this run did not build again', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    const spoolDir = tempDir();
    const earlier = failedNightSpool(spoolDir);
    const stop = new AbortController();
    stop.abort(new Error('stopped by SIGTERM'));
    const { sink } = testSink(receiver, { spoolDir }, { signal: stop.signal });

    await sink.deliver([0, 1, 2].map(rebuilt));

    expect(receiver.requests).toEqual([]);
    // This run's 0-2 wait in its own file with the new figures; the failed night's file keeps 3-5 alone, so the next
    // run cannot send 0-2 twice, the old figures among them.
    expect(spooledFigures(ownSpoolFile(spoolDir, 'run-1'))).toEqual([['sid-0000', 1000], ['sid-0001', 1001], ['sid-0002', 1002]]);
    expect(spooledFigures(earlier)).toEqual([['sid-0003', 103], ['sid-0004', 104], ['sid-0005', 105]]);
  });
  test('token refused in a later part: the summaries an earlier part delivered (and committed) leave the earlier spool file', async () => {
    // The first request (part 1, a checkpoint) is taken; then HEC refuses the token.
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    receiver.inject({ kind: 'pass' });
    receiver.injectAlways({ kind: 'status', status: 403, body: JSON.stringify({ text: 'Invalid token', code: 4 }), contentType: 'application/json' });
    const spoolDir = tempDir();
    const earlier = failedNightSpool(spoolDir);
    const { sink } = testSink(receiver, { spoolDir }, { rebuiltIfStopped: true });

    // Part 1 rebuilds 0-2 and is delivered (the run then commits it); part 2 rebuilds 3 and is refused.
    expect(await sink.deliver([0, 1, 2].map(rebuilt), { checkpoint: true })).toMatchObject({ delivered: 3, spooled: 0 });
    await expect(sink.deliver([3].map(rebuilt))).rejects.toThrow('Invalid token');

    expect(receiver.events().map((e) => [e.event.summary_id, e.event.logins])).toEqual([['sid-0000', 1000], ['sid-0001', 1001], ['sid-0002', 1002]]);
    // 0-2 are in Splunk with newer figures and committed, so no later run builds them again: their old copies must
    // not wait to be sent after the new ones. 3 was not delivered: the next run builds it again (part 2 was not
    // committed) and decides then; 4-5 only the failed night had.
    expect(spooledFigures(earlier)).toEqual([['sid-0003', 103], ['sid-0004', 104], ['sid-0005', 105]]);
  });

  test('at a checkpoint the earlier files lose the summaries the part delivered: a run killed after it cannot leave their old copies to be sent last', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    const spoolDir = tempDir();
    const earlier = failedNightSpool(spoolDir);
    const { sink } = testSink(receiver, { spoolDir }, { rebuiltIfStopped: true });

    // Part 1 rebuilds 0-2 and is delivered; the run commits it and is then killed (SIGKILL): no further call.
    expect(await sink.deliver([0, 1, 2].map(rebuilt), { checkpoint: true })).toMatchObject({ delivered: 3, spooled: 0 });

    expect(spooledFigures(earlier)).toEqual([['sid-0003', 103], ['sid-0004', 104], ['sid-0005', 105]]);
  });

  test('a checkpoint that finds the spool held by another run past the wait leaves its old copies, and the run goes on using the spool after', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    const spoolDir = tempDir();
    const earlier = failedNightSpool(spoolDir);
    // Another run takes the spool just after this one first read it, and keeps it through part 1: a take meanwhile
    // fails as lockSpool does after its wait. It has given it back by the end of the run.
    let busy = false;
    let takes = 0;
    const { sink } = testSink(receiver, { spoolDir }, {
      rebuiltIfStopped: true,
      holdSpool: async () => {
        if (busy) throw new Error('still in use by another run after waiting 15 minutes');
        if (++takes === 1) busy = true;
        return { release: async () => undefined };
      },
    });

    // Part 1 is delivered in full: cleaning the earlier file is best effort, and the spool was not free for it.
    expect(await sink.deliver([0, 1, 2].map(rebuilt), { checkpoint: true })).toMatchObject({ delivered: 3, spooled: 0 });
    busy = false;
    // The last part: delivered, then the earlier file is resent without what this run rebuilt.
    expect(await sink.deliver([3].map(rebuilt))).toMatchObject({ delivered: 1, spooled: 0 });

    expect(receiver.events().map((e) => [e.event.summary_id, e.event.logins])).toEqual([
      ['sid-0000', 1000], ['sid-0001', 1001], ['sid-0002', 1002], ['sid-0003', 1003], ['sid-0004', 104], ['sid-0005', 105],
    ]);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  test('token refused while resending the spool: the files not reached lose the summaries this run already delivered too', async () => {
    // This run's own summaries (one request) and the oldest earlier file (one request) are taken; then the token is refused.
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    receiver.inject({ kind: 'pass' }, 2);
    receiver.injectAlways({ kind: 'status', status: 403, body: JSON.stringify({ text: 'Invalid token', code: 4 }), contentType: 'application/json' });
    const spoolDir = tempDir();
    const files = ['a', 'b', 'c'].map((name) => path.join(spoolDir, `hec-run-${name}.ndjson`));
    const lines = (envelopes: SummaryEnvelope[]) => envelopes.map((e) => `${JSON.stringify(e)}\n`).join('');
    writeFileSync(files[0]!, lines(dailyEnvelopes(2, 10)));
    writeFileSync(files[1]!, lines(dailyEnvelopes(3)));
    writeFileSync(files[2]!, lines([dailyEnvelope(0), dailyEnvelope(3)]));
    // Sent oldest first: a, then b (refused), and c is not reached.
    files.forEach((file, index) => utimesSync(file, new Date(1_000_000 + index * 1000), new Date(1_000_000 + index * 1000)));
    const { sink } = testSink(receiver, { spoolDir }, { rebuiltIfStopped: true });

    await expect(sink.deliver([0, 1].map(rebuilt))).rejects.toThrow('Invalid token');

    expect(receiver.events().map((e) => [e.event.summary_id, e.event.logins])).toEqual([['sid-0000', 1000], ['sid-0001', 1001], ['sid-0010', 110], ['sid-0011', 111]]);
    expect(readdirSync(spoolDir).sort()).toEqual(['hec-run-b.ndjson', 'hec-run-c.ndjson']);
    // 0 and 1 are in Splunk with this run's newer figures: no old copy of them waits any more.
    expect(spooledFigures(files[1]!)).toEqual([['sid-0002', 102]]);
    expect(spooledFigures(files[2]!)).toEqual([['sid-0003', 103]]);
  });
});
