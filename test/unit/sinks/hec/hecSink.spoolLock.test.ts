/**
 * Two runs sharing a spool folder at once (the real HEC receiver, the real spool lock): the second waits until the
 * first has given the spool back, so it resends everything the first spooled, including what the first added while
 * the second waited, each event once. A spool another run keeps past the wait stops the run without a write there.
 */
import { readdirSync } from 'node:fs';
import { HecSpoolError } from '../../../../src/sinks/hec/hecErrors';
import { lockSpool } from '../../../../src/state/spoolLock';
import { HecReceiver } from '../../../support/hecReceiver';
import { dailyEnvelope, dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { TEST_TOKEN, tempDir, testSink } from '../../../support/hecTestKit';

const fastGiveUp = { retry: { initialDelayMs: 1, maxDelayMs: 4, deadlineMs: 60 } };

describe('HecSink with the spool lock', () => {
  let receiver: HecReceiver;
  beforeEach(async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
  });
  afterEach(async () => receiver.close());

  test('a second run waits for the first to finish with the spool, then sends all it spooled, each event once', async () => {
    const spoolDir = tempDir();
    receiver.injectAlways({ kind: 'busy' });
    const first = dailyEnvelopes(5);
    const run1 = testSink(receiver, { spoolDir, ...fastGiveUp }, { sleep: undefined, holdSpool: (dir) => lockSpool(dir) });
    expect(await run1.sink.deliver(first)).toEqual({ delivered: 0, spooled: 5, rejected: 0 });
    expect(readdirSync(spoolDir).sort()).toEqual(['hec-run-1.ndjson', 'lock.json']);

    const waitedFor: string[] = [];
    const run2 = testSink(receiver, { spoolDir }, {
      runId: 'run-2',
      holdSpool: (dir) =>
        lockSpool(dir, {
          onWait: (holder) => waitedFor.push(holder),
          // While run 2 waits, run 1 spools its run event and ends; then HEC is back.
          sleep: async () => {
            await run1.sink.deliver([dailyEnvelope(50)]);
            await run1.sink.close();
            receiver.clearFaults();
          },
        }),
    });
    const second = dailyEnvelopes(3, 100);

    expect(await run2.sink.deliver(second)).toEqual({ delivered: 3, spooled: 0, rejected: 0 });

    expect(waitedFor).toHaveLength(1);
    expect(waitedFor[0]).toContain(`pid ${process.pid}`);
    expect(receiver.summaryIds()).toEqual([...summaryIds(second), ...summaryIds(first), 'sid-0050']);
    expect(readdirSync(spoolDir)).toEqual(['lock.json']);
    await run2.sink.close();
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  test('a spool still in use after the wait stops the run: nothing sent, nothing written to the spool', async () => {
    const spoolDir = tempDir();
    const other = await lockSpool(spoolDir);
    let t = 0;
    const { sink, log } = testSink(receiver, { spoolDir }, {
      holdSpool: (dir) =>
        lockSpool(dir, {
          waitMs: 4_000,
          pollMs: 2_000,
          now: () => new Date(t),
          sleep: async (ms) => {
            t += ms;
          },
        }),
    });

    const error = await sink.deliver(dailyEnvelopes(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HecSpoolError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot use the HEC spool ${spoolDir}: still in use by another run after waiting 4 s \\(.*pid ${process.pid}`));
    // A later call (the run event) is neither sent nor spooled, and says so.
    await expect(sink.deliver([dailyEnvelope(9)])).rejects.toBe(error);
    expect(log.lines).toContainEqual('warn HEC: 1 event neither delivered nor spooled (3 in all): the spool could not be used');
    expect(receiver.requests).toHaveLength(0);
    expect(readdirSync(spoolDir)).toEqual(['lock.json']);
    await sink.close();
    await other.release();
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
