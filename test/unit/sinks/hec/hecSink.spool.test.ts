/**
 * Nothing lost: what HEC does not take before the deadline is spooled (atomic NDJSON, one file per run)
 * and the next HecSink with the same spool directory sends it first, deleting each file once delivered.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HecSpoolError } from '../../../../src/sinks/hec/hecErrors';
import { HecReceiver } from '../../../support/hecReceiver';
import { dailyEnvelope, dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { FAST_GIVE_UP, waitClock, readSpoolFile, tempDir, TEST_TOKEN, testSink, ownSpoolFile, ownSpoolName } from '../../../support/hecTestKit';

describe('HecSink spool', () => {
  let receiver: HecReceiver;
  beforeEach(async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
  });
  afterEach(async () => receiver.close());

  test('deadline passed: events spooled, and the next run sends the spool after its own summaries, then deletes it', async () => {
    receiver.injectAlways({ kind: 'busy' });
    const first = dailyEnvelopes(5);
    const spoolDir = tempDir();
    const run1 = testSink(receiver, { spoolDir, ...FAST_GIVE_UP }, waitClock());

    expect(await run1.sink.deliver(first)).toEqual({ delivered: 0, spooled: 5, rejected: 0 });

    expect(receiver.indexed).toEqual([]);
    expect(readdirSync(spoolDir)).toEqual([ownSpoolName('run-1')]);
    const spoolFile = ownSpoolFile(spoolDir, 'run-1');
    // Each line is the envelope exactly as it would have been sent.
    expect(readFileSync(spoolFile, 'utf8')).toBe(first.map((e) => `${JSON.stringify(e)}\n`).join(''));
    expect(run1.sink.stats()).toMatchObject({ hec_events_sent: 0, hec_events_spooled: 5 });
    expect(run1.log.lines).toContainEqual(expect.stringContaining('gave up'));

    receiver.clearFaults();
    const second = dailyEnvelopes(3, 100);
    const run2 = testSink(receiver, { spoolDir }, { runId: 'run-2' });

    expect(await run2.sink.deliver(second)).toEqual({ delivered: 3, spooled: 0, rejected: 0 });

    expect(receiver.summaryIds()).toEqual([...summaryIds(second), ...summaryIds(first)]);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(run2.sink.counters()).toMatchObject({ spoolResent: 5, eventsSent: 8, eventsSpooled: 0 });
  });

  test('after giving up, later deliveries (the run event) go straight to the spool without requests', async () => {
    receiver.injectAlways({ kind: 'internal-error' });
    const { sink, spoolDir } = testSink(receiver, FAST_GIVE_UP, waitClock());
    await sink.deliver(dailyEnvelopes(2));
    const requests = receiver.requests.length;

    expect(await sink.deliver([dailyEnvelope(50)])).toEqual({ delivered: 0, spooled: 1, rejected: 0 });

    expect(receiver.requests.length).toBe(requests);
    expect(summaryIds(readSpoolFile(ownSpoolFile(spoolDir, 'run-1')))).toEqual(['sid-0000', 'sid-0001', 'sid-0050']);
    expect(sink.stats().hec_events_spooled).toBe(3);
  });

  test('giving up part-way: delivered batches stay delivered, the rest is spooled; across both runs each summary once', async () => {
    const envelopes = dailyEnvelopes(9);
    const spoolDir = tempDir();
    const run1 = testSink(receiver, { spoolDir, batchBytes: 2000, ...FAST_GIVE_UP }, waitClock());
    receiver.inject({ kind: 'pass' }); // the first batch goes through
    receiver.injectAlways({ kind: 'busy' });

    const result = await run1.sink.deliver(envelopes);

    const landed = receiver.summaryIds();
    expect(landed.length).toBeGreaterThan(0);
    expect(result).toEqual({ delivered: landed.length, spooled: 9 - landed.length, rejected: 0 });
    receiver.clearFaults();
    await testSink(receiver, { spoolDir }, { runId: 'run-2' }).sink.deliver([]);
    expect(receiver.summaryIds()).toEqual(summaryIds(envelopes));
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  test('a spool file only partly delivered keeps just the undelivered events', async () => {
    const spoolDir = tempDir();
    const old = dailyEnvelopes(6);
    writeFileSync(path.join(spoolDir, 'hec-old-run.ndjson'), old.map((e) => `${JSON.stringify(e)}\n`).join(''));
    receiver.inject({ kind: 'pass' }, 2); // the new event, then the old file's first batch
    receiver.injectAlways({ kind: 'busy' });
    const { sink } = testSink(receiver, { spoolDir, batchBytes: 2000, ...FAST_GIVE_UP }, { ...waitClock(), runId: 'run-3' });

    const result = await sink.deliver([dailyEnvelope(70)]);

    const [own, ...delivered] = receiver.summaryIds();
    expect(own).toBe('sid-0070');
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered).toEqual(summaryIds(old).slice(0, delivered.length));
    // The old ones still waiting.
    expect(result).toEqual({ delivered: 1, spooled: 6 - delivered.length, rejected: 0 });
    expect(summaryIds(readSpoolFile(path.join(spoolDir, 'hec-old-run.ndjson')))).toEqual(summaryIds(old).slice(delivered.length));
    expect(readdirSync(spoolDir)).toEqual(['hec-old-run.ndjson']);
  });

  test('jobs sharing a spool folder: a run resends only the files written for its own HEC URL and index', async () => {
    const spoolDir = tempDir();
    const other = await HecReceiver.start({ token: TEST_TOKEN });
    try {
      // Job A (this receiver, index prod) spools 2 events: its HEC is busy all night.
      receiver.injectAlways({ kind: 'busy' });
      const jobA = testSink(receiver, { spoolDir, index: 'prod', ...FAST_GIVE_UP }, { ...waitClock(), runId: 'a-1' });
      expect(await jobA.sink.deliver(dailyEnvelopes(2))).toEqual({ delivered: 0, spooled: 2, rejected: 0 });
      receiver.clearFaults();
      const fileA = path.basename(ownSpoolFile(spoolDir, 'a-1'));

      // Job B (another HEC, index staging) sends its own event only, and says whose file it left.
      const jobB = testSink(other, { spoolDir, index: 'staging' }, { runId: 'b-1' });
      expect(await jobB.sink.deliver([dailyEnvelope(50)])).toEqual({ delivered: 1, spooled: 0, rejected: 0 });
      expect(other.events().map((e) => [e.index, e.event.summary_id])).toEqual([['staging', 'sid-0050']]);
      // The warning names A's file with the index of its events, so A's operator can tell it from other jobs' files.
      expect(jobB.log.lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^warn HEC: 1 spool file\\(s\\) in ${spoolDir} were written for another HEC URL or index and are left for the runs that send there \\(${fileA.replace(/\./g, '\\.')} \\(index prod\\)\\); if some are this job's from before its URL or index changed \\(by their index\\), rename those to end in \\.to-[0-9a-f]{8}\\.ndjson \\(this run's\\) and its next run sends them$`),
        ),
      );
      // The same HEC as A but another index is another destination too.
      const sameUrl = testSink(receiver, { spoolDir, index: 'staging' }, { runId: 'b-2' });
      await sameUrl.sink.deliver([]);
      expect(receiver.indexed).toEqual([]);
      expect(readdirSync(spoolDir)).toEqual([fileA]);

      // A's next run sends them, to its index.
      const jobA2 = testSink(receiver, { spoolDir, index: 'prod' }, { runId: 'a-2' });
      expect(await jobA2.sink.deliver([])).toEqual({ delivered: 0, spooled: 0, rejected: 0 });
      expect(receiver.events().map((e) => [e.index, e.event.summary_id])).toEqual([['prod', 'sid-0000'], ['prod', 'sid-0001']]);
      expect(readdirSync(spoolDir)).toEqual([]);
      expect(jobA2.log.lines.filter((line) => line.includes('another HEC URL'))).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test('the advice for files stranded by an index change, followed: this job\'s next run sends them to its new index, another job never', async () => {
    const spoolDir = tempDir();
    // The job spools 2 events for index prod (HEC busy all night).
    receiver.injectAlways({ kind: 'busy' });
    await testSink(receiver, { spoolDir, index: 'prod', ...FAST_GIVE_UP }, { ...waitClock(), runId: 'a-1' }).sink.deliver(dailyEnvelopes(2));
    receiver.clearFaults();
    const stranded = ownSpoolFile(spoolDir, 'a-1');
    // Its index changes to prod2: its run leaves the file and says what to rename it to.
    const moved = testSink(receiver, { spoolDir, index: 'prod2' }, { runId: 'a-2' });
    await moved.sink.deliver([]);
    const advice = moved.log.lines.map((line) => /rename those to end in (\.to-[0-9a-f]{8}\.ndjson) \(this run's\)/.exec(line)?.[1]).find((end) => end !== undefined);
    // The file is told apart by its index: prod, this job's former one.
    expect(moved.log.lines.join('\n')).toContain(`${path.basename(stranded)} (index prod)`);
    expect(advice).toBeDefined();
    renameSync(stranded, stranded.replace(/\.to-[0-9a-f]{8}\.ndjson$/, advice!));
    // Another job sharing the folder (index staging) runs first: it leaves the renamed file alone.
    await testSink(receiver, { spoolDir, index: 'staging' }, { runId: 'b-1' }).sink.deliver([]);
    expect(receiver.indexed).toEqual([]);
    // The job's next run sends them, once, to prod2.
    await testSink(receiver, { spoolDir, index: 'prod2' }, { runId: 'a-3' }).sink.deliver([]);
    expect(receiver.events().map((e) => [e.index, e.event.summary_id])).toEqual([['prod2', 'sid-0000'], ['prod2', 'sid-0001']]);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  test('a file from before destinations were named (hec-<run id>.ndjson) is sent by any run, with the current --hec-index', async () => {
    const spoolDir = tempDir();
    writeFileSync(path.join(spoolDir, 'hec-old.ndjson'), `${JSON.stringify(dailyEnvelope(1, { index: 'wrong' }))}\n`);
    const { sink } = testSink(receiver, { spoolDir, index: 'summary' });
    await sink.deliver([]);
    expect(receiver.events().map((e) => [e.index, e.event.summary_id])).toEqual([['summary', 'sid-0001']]);
  });

  test('a spool file with a bad line is left in place with a warning, its 2 lines counted as waiting; the rest carries on', async () => {
    const spoolDir = tempDir();
    writeFileSync(path.join(spoolDir, 'hec-broken.ndjson'), '{"event":{"summary_id":"x"}}\nnot json\n');
    const { sink, log } = testSink(receiver, { spoolDir });
    // The 2 lines wait for the operator to mend the file, as `status` counts them: the run says so (spooled: exit 3).
    expect(await sink.deliver([dailyEnvelope(2)])).toEqual({ delivered: 1, spooled: 2, rejected: 0 });
    expect(sink.stats().hec_events_spooled).toBe(2);
    expect(readdirSync(spoolDir)).toEqual(['hec-broken.ndjson']);
    expect(log.lines).toContainEqual(expect.stringContaining('hec-broken.ndjson left in place: line 2 is not JSON'));
  });

  test('a spool that cannot be written stops the run (HecSpoolError) rather than losing events', async () => {
    receiver.injectAlways({ kind: 'busy' });
    const notADir = path.join(tempDir(), 'file');
    writeFileSync(notADir, 'x');
    const { sink } = testSink(receiver, { spoolDir: notADir, ...FAST_GIVE_UP }, waitClock());
    await expect(sink.deliver(dailyEnvelopes(1))).rejects.toBeInstanceOf(HecSpoolError);
  });
});
