/**
 * The spool as a queue that survives odd directory contents: entries that are not readable files are
 * skipped or left in place with a warning; events still waiting in earlier files are reported as
 * spooled; a partly re-sent file keeps its place in the queue.
 */
import { mkdirSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SummaryEnvelope } from '../../../../src/rollup/summaryEvent';
import { HecSpool } from '../../../../src/sinks/hec/hecSpool';
import { countSpooledEvents } from '../../../../src/sinks/hec/spoolCount';
import { HecReceiver, type HecReceiverOptions } from '../../../support/hecReceiver';
import { dailyEnvelope, dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { FAST_GIVE_UP, waitClock, readSpoolFile, tempDir, TEST_TOKEN, testSink } from '../../../support/hecTestKit';

const ndjson = (envelopes: readonly SummaryEnvelope[]) => envelopes.map((e) => `${JSON.stringify(e)}\n`).join('');

/** A spool file written by "an earlier run" with a fixed modification time (epoch seconds). */
function spoolFile(dir: string, name: string, envelopes: readonly SummaryEnvelope[], mtimeSeconds: number): string {
  const file = path.join(dir, name);
  writeFileSync(file, ndjson(envelopes));
  utimesSync(file, mtimeSeconds, mtimeSeconds);
  return file;
}

describe('HecSink spool files', () => {
  let receiver: HecReceiver;
  const start = async (options: Partial<HecReceiverOptions> = {}) => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ...options });
  };
  afterEach(async () => receiver?.close());

  test('a directory named like a spool file is skipped; the real spool files and the new events are sent', async () => {
    await start();
    const spoolDir = tempDir();
    mkdirSync(path.join(spoolDir, 'hec-a-directory.ndjson'));
    const old = dailyEnvelopes(2);
    spoolFile(spoolDir, 'hec-old.ndjson', old, 1_700_000_000);
    const { sink } = testSink(receiver, { spoolDir });

    expect(await sink.deliver([dailyEnvelope(20)])).toEqual({ delivered: 1, spooled: 0, rejected: 0 });

    // This run's summaries first; then the spool, once it is known which of its summaries this run rebuilt.
    expect(receiver.summaryIds()).toEqual(['sid-0020', 'sid-0000', 'sid-0001']);
    expect(readdirSync(spoolDir)).toEqual(['hec-a-directory.ndjson']);
  });

  test('an entry that cannot be read (a symlink loop) is left in place with a warning naming it; the rest carries on', async () => {
    await start();
    const spoolDir = tempDir();
    const loop = path.join(spoolDir, 'hec-loop.ndjson');
    symlinkSync(loop, loop);
    const { sink, log } = testSink(receiver, { spoolDir });

    expect(await sink.deliver([dailyEnvelope(3)])).toEqual({ delivered: 1, spooled: 0, rejected: 0 });

    expect(receiver.summaryIds()).toEqual(['sid-0003']);
    expect(readdirSync(spoolDir)).toEqual(['hec-loop.ndjson']);
    expect(log.lines).toContainEqual(`warn HEC spool file ${loop} left in place: cannot read: ELOOP`);
  });

  test('an entry gone before it could be looked at (a dangling symlink) is passed over silently', async () => {
    await start();
    const spoolDir = tempDir();
    symlinkSync(path.join(spoolDir, 'nowhere'), path.join(spoolDir, 'hec-gone.ndjson'));
    const { sink, log } = testSink(receiver, { spoolDir });

    expect(await sink.deliver([dailyEnvelope(4)])).toEqual({ delivered: 1, spooled: 0, rejected: 0 });

    expect(receiver.summaryIds()).toEqual(['sid-0004']);
    expect(log.lines.filter((line) => line.startsWith('warn'))).toEqual([]);
  });

  test('HecSpool.read reports a read error as a reason, not an exception', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'hec-x.ndjson'));
    await expect(new HecSpool(dir, 'r', '00000000').read(path.join(dir, 'hec-x.ndjson'))).resolves.toEqual({ ok: false, reason: 'cannot read: EISDIR', lines: 0 });
  });

  test('events of an earlier file that are still not delivered count as spooled in the result (not only in stats)', async () => {
    await start();
    const spoolDir = tempDir();
    const old = dailyEnvelopes(6);
    spoolFile(spoolDir, 'hec-old.ndjson', old, 1_700_000_000);
    receiver.inject({ kind: 'pass' }); // the first batch of the old file goes through
    receiver.injectAlways({ kind: 'busy' });
    const { sink } = testSink(receiver, { spoolDir, batchBytes: 2000, ...FAST_GIVE_UP }, waitClock());

    const result = await sink.deliver([]);

    const landed = receiver.summaryIds();
    expect(landed).toEqual(summaryIds(old).slice(0, landed.length));
    expect(landed.length).toBeGreaterThan(0);
    expect(landed.length).toBeLessThan(6);
    expect(result).toEqual({ delivered: 0, spooled: 6 - landed.length, rejected: 0 });
    expect(sink.stats().hec_events_spooled).toBe(6 - landed.length);
  });

  test('with acknowledgement: old events never acknowledged are spooled again and reported, while the new ones land', async () => {
    // The run's own summaries go first (ackId 0); the old file's batch gets ackId 1, never acknowledged.
    await start({ ack: { neverAckFirst: 2 } });
    const spoolDir = tempDir();
    const old = dailyEnvelopes(2);
    const oldFile = spoolFile(spoolDir, 'hec-old.ndjson', old, 1_700_000_000);
    const { sink } = testSink(receiver, { spoolDir, ack: true, ackPolicy: { pollIntervalMs: 1, timeoutMs: 30, maxResends: 0 } });

    expect(await sink.deliver(dailyEnvelopes(3, 10), { more: true })).toEqual({ delivered: 0, spooled: 0, rejected: 0 });
    expect(await sink.deliver([])).toEqual({ delivered: 0, spooled: 3 + 2, rejected: 0 });

    expect(summaryIds(readSpoolFile(oldFile))).toEqual(['sid-0000', 'sid-0001']);
    expect(sink.stats()).toMatchObject({ hec_events_sent: 0, hec_events_spooled: 5 });
  });

  test('files left untouched after giving up still count as waiting', async () => {
    await start();
    const spoolDir = tempDir();
    spoolFile(spoolDir, 'hec-first.ndjson', dailyEnvelopes(2), 1_700_000_000);
    spoolFile(spoolDir, 'hec-second.ndjson', dailyEnvelopes(3, 10), 1_700_000_100);
    receiver.injectAlways({ kind: 'busy' });
    const { sink } = testSink(receiver, { spoolDir, ...FAST_GIVE_UP }, waitClock());

    expect(await sink.deliver([dailyEnvelope(30)])).toEqual({ delivered: 0, spooled: 6, rejected: 0 });
    expect(sink.stats().hec_events_spooled).toBe(6);
  });

  test('a partly re-sent file keeps its place: the next run sends it before younger files', async () => {
    await start();
    const spoolDir = tempDir();
    const older = dailyEnvelopes(6);
    const younger = dailyEnvelopes(1, 40);
    const olderFile = spoolFile(spoolDir, 'hec-older.ndjson', older, 1_700_000_000);
    spoolFile(spoolDir, 'hec-younger.ndjson', younger, 1_700_086_400);
    receiver.inject({ kind: 'pass' }, 2); // the run's own event, then the first batch of the older file
    receiver.injectAlways({ kind: 'busy' });
    const run1 = testSink(receiver, { spoolDir, batchBytes: 2000, ...FAST_GIVE_UP }, { ...waitClock(), runId: 'run-1' });
    await run1.sink.deliver([dailyEnvelope(50)]);
    const landed = receiver.summaryIds().length - 1;
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThan(6);
    expect(statSync(olderFile).mtimeMs).toBe(1_700_000_000_000);

    receiver.clearFaults();
    const run2 = testSink(receiver, { spoolDir }, { runId: 'run-2' });
    await run2.sink.deliver([dailyEnvelope(60)]);

    const spooled = receiver.summaryIds().filter((id) => id !== 'sid-0050' && id !== 'sid-0060');
    expect(spooled).toEqual([...summaryIds(older), 'sid-0040']);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  test('status and the sender agree on what waits: a rejected-* file is neither counted nor resent', async () => {
    await start();
    const spoolDir = tempDir();
    spoolFile(spoolDir, 'hec-old.ndjson', dailyEnvelopes(2), 1_700_000_000);
    const refused = dailyEnvelopes(3, 10).map((envelope) => ({ reason: 'HEC code 6, Invalid data format', envelope }));
    writeFileSync(path.join(spoolDir, 'rejected-old.ndjson'), refused.map((line) => `${JSON.stringify(line)}\n`).join(''));

    expect(await countSpooledEvents(spoolDir)).toEqual({ files: 1, events: 2, rejected: 3 });
    await testSink(receiver, { spoolDir }).sink.deliver([]);

    expect(receiver.summaryIds()).toEqual(['sid-0000', 'sid-0001']);
    expect(await countSpooledEvents(spoolDir)).toEqual({ files: 0, events: 0, rejected: 3 });
    expect(readdirSync(spoolDir)).toEqual(['rejected-old.ndjson']);
  });
});
