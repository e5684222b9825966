/**
 * Two runs sharing a spool folder at once (the real HEC receiver, the real spool lock): each use of the spool
 * (reading it, adding to a run's file, resending earlier files) waits for another run's use to end, so a run never
 * adds to a file while another sends and deletes it. A spool another run keeps past the wait stops the run without a
 * write there.
 */
import { readdirSync } from 'node:fs';
import { HecSpoolError } from '../../../../src/sinks/hec/hecErrors';
import { lockSpool } from '../../../../src/state/spoolLock';
import { HecReceiver } from '../../../support/hecReceiver';
import { dailyEnvelope, dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { FAST_GIVE_UP, waitClock, tempDir, TEST_TOKEN, testSink, ownSpoolName } from '../../../support/hecTestKit';

describe('HecSink with the spool lock', () => {
  let receiver: HecReceiver;
  beforeEach(async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
  });
  afterEach(async () => receiver.close());

  test('a run adding to the spool waits while another resends it; what it adds is neither lost nor sent twice', async () => {
    const spoolDir = tempDir();
    receiver.injectAlways({ kind: 'busy' });
    const first = dailyEnvelopes(5);
    const run1Waited: string[] = [];
    let run1Waits: () => void = () => undefined;
    const run1IsWaiting = new Promise<void>((resolve) => (run1Waits = resolve));
    const run1 = testSink(receiver, { spoolDir, ...FAST_GIVE_UP }, {
      ...waitClock(),
      holdSpool: (dir) =>
        lockSpool(dir, {
          onWait: (holder) => {
            run1Waited.push(holder);
            run1Waits();
          },
          sleep: () => new Promise((resolve) => setImmediate(resolve)),
        }),
    });
    expect(await run1.sink.deliver(first)).toEqual({ delivered: 0, spooled: 5, rejected: 0 });
    // The spool is given back after each use.
    expect(readdirSync(spoolDir)).toEqual([ownSpoolName('run-1')]);
    receiver.clearFaults();

    // Run 2 reads the spool (its first use), sends its own summaries, then resends run 1's file (its second use).
    // Just before it gives the spool back the second time, run 1 (given up on HEC) spools one more event.
    let releases = 0;
    let run1Add: Promise<unknown> | undefined;
    const run2 = testSink(receiver, { spoolDir }, {
      runId: 'run-2',
      holdSpool: async (dir) => {
        const hold = await lockSpool(dir);
        return {
          release: async () => {
            if (++releases === 2) {
              run1Add = run1.sink.deliver([dailyEnvelope(50)]);
              // Bounded, so that a run 1 that never waits fails the test rather than hanging it.
              await Promise.race([run1IsWaiting, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
              // Run 1 waits; the file run 2 has just sent and deleted is not written meanwhile.
              expect(readdirSync(spoolDir)).toEqual(['lock.json']);
            }
            await hold.release();
          },
        };
      },
    });
    const second = dailyEnvelopes(3, 100);
    expect(await run2.sink.deliver(second)).toEqual({ delivered: 3, spooled: 0, rejected: 0 });
    expect(releases).toBe(2);
    expect(await run1Add).toEqual({ delivered: 0, spooled: 1, rejected: 0 });
    expect(run1Waited).toHaveLength(1);
    expect(run1Waited[0]).toContain(`pid ${process.pid}`);
    expect(receiver.summaryIds()).toEqual([...summaryIds(second), ...summaryIds(first)]);
    expect(readdirSync(spoolDir)).toEqual([ownSpoolName('run-1')]);

    // The next run sends the event run 1 added after waiting: each summary once in all.
    const run3 = testSink(receiver, { spoolDir }, { runId: 'run-3', holdSpool: (dir) => lockSpool(dir) });
    expect(await run3.sink.deliver([])).toEqual({ delivered: 0, spooled: 0, rejected: 0 });
    expect(receiver.summaryIds()).toEqual([...summaryIds(second), ...summaryIds(first), 'sid-0050']);
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
