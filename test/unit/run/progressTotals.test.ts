import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createProgressReporter } from '../../../src/run/progress';
import type { ProgressReporter } from '../../../src/run/progressReporter';
import { runJob } from '../../../src/run/runJob';
import { configWith, login, openLocal, silentLogger, writeArchive } from '../state/stateTestKit';

// Only the progress interval is faked: file reads and streams keep their real ticks.
beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'Date', 'hrtime', 'performance'] }));
afterEach(() => jest.useRealTimers());

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'progress-totals-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Forwards to a real reporter and records each call, in order. */
class RecordingReporter implements ProgressReporter {
  readonly calls: string[] = [];
  constructor(
    private readonly inner: ProgressReporter,
    private readonly onObjectDone: (count: number) => void,
  ) {}
  objectListed(size?: number): void {
    this.calls.push(`listed ${size}`);
    this.inner.objectListed(size);
  }
  listingDone(): void {
    this.calls.push('listing done');
    this.inner.listingDone();
  }
  objectStarted(name: string): void {
    this.calls.push(`started ${path.basename(name)}`);
    this.inner.objectStarted(name);
  }
  bytesRead(bytes: number): void {
    this.inner.bytesRead(bytes);
  }
  recordsRead(records: number): void {
    this.inner.recordsRead(records);
  }
  objectRetried(bytes: number, records: number): void {
    this.calls.push(`retried ${bytes} ${records}`);
    this.inner.objectRetried(bytes, records);
  }
  objectDone(): void {
    this.calls.push('done');
    this.inner.objectDone();
    this.onObjectDone(this.calls.filter((c) => c === 'done').length);
  }
  finish(): void {
    this.inner.finish();
  }
}

test('on a local folder the whole listing reaches the progress display before the first object is read', async () => {
  // Four archives of 3, 5, 7 and 9 login records, read one at a time.
  const files = [3, 5, 7, 9].map((count, f) =>
    writeArchive(dir, `day-${f}.ndjson`, Array.from({ length: count }, (_, i) => login(f * 100 + i, `2024-03-0${f + 1}T10:00:00.000Z`, `auth0|u${i}`))),
  );
  const sizes = files.map((file) => statSync(file).size);
  const total = sizes.reduce((a, b) => a + b, 0);

  let clock = 0;
  const lines: Array<Record<string, unknown>> = [];
  const log = createProgressReporter({ mode: 'log', write: (l) => lines.push(JSON.parse(l)), intervalMs: 30_000, now: () => clock });
  const progress = new RecordingReporter(log, (count) => {
    if (count !== 1) return;
    // The first object took 30 s: the first progress line is due.
    clock += 30_000;
    jest.advanceTimersByTime(30_000);
  });
  const outcome = await runJob({ inputs: [dir], config: configWith(), timezone: 'UTC', openSource: openLocal, sinks: [], concurrency: 1, logger: silentLogger, progress });
  expect(outcome.run.records).toBe(24);

  expect(progress.calls.slice(0, 6)).toEqual([...sizes.map((s) => `listed ${s}`), 'listing done', 'started day-0.ndjson']);
  // The first line already knows every object and byte, and the ETA: the other three files at the first one's rate.
  const rate = Math.round(sizes[0] / 30);
  expect(lines[0]).toEqual({
    msg: 'progress',
    objects_done: 1,
    objects_listed: 4,
    objects_active: 0,
    bytes_read: sizes[0],
    bytes_listed: total,
    bytes_per_second: rate,
    records_read: 3,
    records_per_second: 0, // 3 records in 30 s, rounded
    elapsed_s: 30,
    eta_s: Math.round((total - sizes[0]) / rate),
    listing_done: true,
  });
  expect(lines[lines.length - 1]).toMatchObject({ objects_done: 4, objects_listed: 4, bytes_read: total, records_read: 24, done: true });
});
