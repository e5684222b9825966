import { Readable } from 'node:stream';
import { decodeStream } from '../../../src/decode/decodeStream';
import { closeDecodeWorkers, decodeStreamInWorker, decodeThreadCount, setAbortAnswerTimeout } from '../../../src/decode/decodeWorkerPool';

afterAll(() => closeDecodeWorkers());

function record(n: number, extra = ''): string {
  return `{"log_id":"${String(n).padStart(56, '9')}","date":"2025-08-05T19:19:43.071Z","type":"s","tenant_name":"acme"${extra}}\n`;
}

class Stop extends Error {}

test('on this thread, decoding stops at the next chunk once the signal fires', async () => {
  const controller = new AbortController();
  const chunks = Array.from({ length: 50 }, (_, i) => Buffer.from(record(i)));
  const seen: Array<string | null> = [];
  const reason = new Stop('stopped by SIGTERM');
  const decoding = decodeStream(Readable.from(chunks), { source: 'o', defaultTenant: 't', signal: controller.signal }, {
    record: (r) => {
      seen.push(r.logId);
      if (seen.length === 3) controller.abort(reason);
    },
    quarantine: () => undefined,
  });
  await expect(decoding).rejects.toBe(reason);
  // The chunk that held the third record was the last one read.
  expect(seen).toHaveLength(3);
});

test('a signal that already fired starts no decoding', async () => {
  const controller = new AbortController();
  const reason = new Stop('stopped');
  controller.abort(reason);
  const record = jest.fn();
  await expect(decodeStreamInWorker(Readable.from([Buffer.from('{}\n')]), { source: 'o', defaultTenant: 't', signal: controller.signal }, { record, quarantine: () => undefined })).rejects.toBe(reason);
  expect(record).not.toHaveBeenCalled();
});

test('a decode worker busy inside one huge record when told to stop is terminated once the answer bound passes', async () => {
  // The bound is injected as 0 ms: the worker is busy for seconds, since the stop comes while it is inside the one
  // chunk that holds a junk line and then a record of 1,000,000 keys (the key limit switched off to make it so).
  const previous = setAbortAnswerTimeout(0);
  try {
    const keys = Array.from({ length: 1_000_000 }, (_, i) => `,"k${i}":0`).join('');
    const chunk = Buffer.from(`not json\n${record(1, keys)}`);
    const controller = new AbortController();
    const reason = new Stop('stopped by SIGTERM');
    const quarantined: string[] = [];
    const decoding = decodeStreamInWorker(
      Readable.from([chunk]),
      { source: 'o', defaultTenant: 't', signal: controller.signal, maxItemKeys: Number.POSITIVE_INFINITY, maxItemBytes: 64 << 20 },
      {
        record: () => undefined,
        // The worker sends the junk line's quarantine item from within that chunk, before it reaches the big record.
        quarantine: (_kind, item) => {
          quarantined.push(item.raw);
          controller.abort(reason);
        },
      },
    );
    await expect(decoding).rejects.toBe(reason);
    expect(quarantined).toEqual(['not json']);
    // The worker has not answered (it is still inside that chunk): it is terminated and leaves the pool.
    while (decodeThreadCount() > 0) await new Promise((resolve) => setImmediate(resolve));
    // The next object gets a fresh worker.
    const records: Array<string | null> = [];
    await decodeStreamInWorker(Readable.from([Buffer.from(record(2))]), { source: 'p', defaultTenant: 't' }, { record: (r) => records.push(r.logId), quarantine: () => undefined });
    expect(records).toEqual([JSON.parse(record(2)).log_id]);
  } finally {
    setAbortAnswerTimeout(previous);
  }
});

test("a worker's answer to 'abort' queued behind another object's slow batches counts: the worker is not terminated", async () => {
  // One thread, two objects. The second is stopped while the first's batches wait on the main thread, each taking
  // 150 ms to hand to its sink; the worker answers the abort at once, behind them. The answer bound (400 ms) is
  // shorter than handling the queued batches, not than the worker's answer: nothing may be terminated.
  await closeDecodeWorkers();
  const { setDecodeThreadLimit } = await import('../../../src/decode/decodeWorkerPool');
  const previousLimit = setDecodeThreadLimit(1);
  const previousBound = setAbortAnswerTimeout(400);
  try {
    const lines = Array.from({ length: 8 * 2048 }, (_, i) => record(i)).join('');
    const controller = new AbortController();
    const stopped = new Readable({ read: () => undefined });
    stopped.push(Buffer.from(record(1)));
    const second = decodeStreamInWorker(stopped, { source: 'b', defaultTenant: 't', signal: controller.signal }, { record: () => undefined, quarantine: () => undefined });
    let records = 0;
    const first = decodeStreamInWorker(Readable.from([Buffer.from(lines)]), { source: 'a', defaultTenant: 't' }, {
      record: () => {
        if (records === 0) setTimeout(() => controller.abort(new Stop('stopped')), 0);
        if (records++ % 2048 === 0) {
          const until = Date.now() + 150;
          while (Date.now() < until);
        }
      },
      quarantine: () => undefined,
    });
    await expect(second).rejects.toBeInstanceOf(Stop);
    await expect(first).resolves.toMatchObject({ records: 8 * 2048 });
  } finally {
    setAbortAnswerTimeout(previousBound);
    setDecodeThreadLimit(previousLimit);
  }
});
