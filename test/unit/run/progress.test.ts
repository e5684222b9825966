import { PassThrough } from 'node:stream';
import pino from 'pino';
import { createProgressReporter, formatBytes, formatCount, formatDuration, progressModeFromArgs } from '../../../src/run/progress';

function fakeStream(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 200 });
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('progress in log mode (no terminal, cron, containers)', () => {
  let clock = 0;
  beforeEach(() => {
    jest.useFakeTimers();
    clock = 1_000_000;
  });
  afterEach(() => jest.useRealTimers());

  it('the last line of a reading that failed or was stopped says so: done, and failed', () => {
    const lines: string[] = [];
    const progress = createProgressReporter({ mode: 'log', write: (l) => lines.push(l), intervalMs: 30_000, now: () => clock });
    for (let i = 0; i < 4; i++) progress.objectListed(100);
    progress.listingDone();
    progress.objectStarted('one');
    progress.bytesRead(100);
    progress.objectDone();
    progress.objectStarted('two');
    clock += 10_000;
    progress.finish(true);
    // One of four objects read: the line says it is the last, and that the reading did not get through.
    expect(JSON.parse(lines[0]!)).toMatchObject({ objects_done: 1, objects_listed: 4, objects_active: 1, done: true, failed: true });
  });

  it('an object read again no longer counts what its failed attempt read; the rate stays what was read in the interval', () => {
    const lines: string[] = [];
    const progress = createProgressReporter({ mode: 'log', write: (l) => lines.push(l), intervalMs: 30_000, now: () => clock });
    progress.objectListed(1000);
    progress.listingDone();
    progress.objectStarted('s3://b/one');
    progress.bytesRead(300);
    progress.recordsRead(90);
    progress.objectRetried(300, 90); // cut off: read again from the start
    progress.bytesRead(400);
    progress.recordsRead(120);
    clock += 30_000;
    jest.advanceTimersByTime(30_000);
    // Net: 400 bytes and 120 records. Read in the 30 s: 700 bytes (23 B/s, rounded) and 210 records (7/s).
    // ETA: the 600 bytes left at 23 B/s, 26 s.
    expect(JSON.parse(lines[0]!)).toMatchObject({ bytes_read: 400, records_read: 120, bytes_per_second: 23, records_per_second: 7, eta_s: 26 });
    progress.bytesRead(600);
    progress.recordsRead(180);
    progress.objectDone();
    clock += 10_000;
    progress.finish();
    // Over the whole run (40 s): the 1000 bytes and 300 records that count.
    expect(JSON.parse(lines[1]!)).toMatchObject({ bytes_read: 1000, records_read: 300, bytes_per_second: 25, records_per_second: 8, done: true });
  });

  it('writes one JSON line per interval with counts, recent rate and ETA, and a last line on finish', () => {
    const lines: string[] = [];
    const progress = createProgressReporter({ mode: 'log', write: (l) => lines.push(l), intervalMs: 30_000, now: () => clock });
    progress.objectListed(100);
    progress.objectListed(200);
    progress.objectListed(700);
    progress.listingDone();
    progress.objectStarted('s3://b/one');
    progress.bytesRead(300);
    progress.recordsRead(90);
    clock += 29_000;
    jest.advanceTimersByTime(29_000);
    expect(lines).toEqual([]); // at most one line per interval

    clock += 1_000;
    jest.advanceTimersByTime(1_000);
    // 300 bytes in 30 s = 10 B/s; 700 listed bytes left → 70 s. 90 records in 30 s = 3/s.
    expect(JSON.parse(lines[0])).toEqual({
      msg: 'progress', objects_done: 0, objects_listed: 3, objects_active: 1, bytes_read: 300, bytes_listed: 1000,
      bytes_per_second: 10, records_read: 90, records_per_second: 3, elapsed_s: 30, eta_s: 70, listing_done: true,
    });

    progress.objectDone();
    progress.objectStarted('s3://b/two');
    progress.bytesRead(600);
    progress.recordsRead(150);
    progress.objectDone();
    clock += 30_000;
    jest.advanceTimersByTime(30_000);
    // 600 bytes in the last 30 s = 20 B/s; 100 bytes left → 5 s.
    expect(JSON.parse(lines[1])).toMatchObject({ objects_done: 2, objects_active: 0, bytes_read: 900, bytes_per_second: 20, records_read: 240, records_per_second: 5, elapsed_s: 60, eta_s: 5 });

    clock += 15_000;
    progress.finish();
    progress.finish();
    // The last line carries the whole run's rate: 900 bytes in 75 s = 12 B/s, 240 records in 75 s = 3.2 → 3/s.
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2])).toEqual({
      msg: 'progress', objects_done: 2, objects_listed: 3, objects_active: 0, bytes_read: 900, bytes_listed: 1000,
      bytes_per_second: 12, records_read: 240, records_per_second: 3, elapsed_s: 75, listing_done: true, done: true,
    });
    jest.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(3);
  });

  it('hands the fields to a logger as info(fields, "progress")', () => {
    const captured: Array<{ fields: object; msg: string }> = [];
    const progress = createProgressReporter({ mode: 'log', logger: { info: (fields, msg) => captured.push({ fields, msg }) }, now: () => clock });
    progress.objectListed();
    progress.objectStarted('a');
    progress.bytesRead(60);
    clock += 30_000;
    jest.advanceTimersByTime(30_000); // the default interval
    expect(captured).toHaveLength(1);
    expect(captured[0].msg).toBe('progress');
    // Without sizes from the listing there is nothing to estimate an ETA from.
    expect(captured[0].fields).toEqual({
      objects_done: 0, objects_listed: 1, objects_active: 1, bytes_read: 60, bytes_listed: 0, bytes_per_second: 2,
      records_read: 0, records_per_second: 0, elapsed_s: 30,
    });
    progress.finish();
  });

  it('works with a real pino logger', () => {
    const out: string[] = [];
    const logger = pino({ base: undefined, timestamp: false }, { write: (line: string) => out.push(line) });
    const progress = createProgressReporter({ mode: 'log', logger, now: () => clock });
    progress.objectListed(5);
    progress.finish();
    expect(out.map((l) => JSON.parse(l))).toEqual([
      {
        level: 30, msg: 'progress', objects_done: 0, objects_listed: 1, objects_active: 0, bytes_read: 0, bytes_listed: 5,
        bytes_per_second: 0, records_read: 0, records_per_second: 0, elapsed_s: 0, done: true,
      },
    ]);
  });

  it('writes log lines to a stream that is not a terminal, even in auto mode', () => {
    const { stream, text } = fakeStream(false);
    const progress = createProgressReporter({ mode: 'auto', stream, now: () => clock });
    progress.objectListed(10);
    progress.finish();
    expect(text().endsWith('\n')).toBe(true);
    expect(JSON.parse(text())).toMatchObject({ msg: 'progress', objects_listed: 1, done: true });
  });

  it('gives no ETA while the listing goes on: the bytes listed so far are not the total', () => {
    const lines: string[] = [];
    const progress = createProgressReporter({ mode: 'log', write: (l) => lines.push(l), intervalMs: 10_000, now: () => clock });
    progress.objectListed(1000);
    progress.objectStarted('s3://b/one');
    progress.bytesRead(500);
    clock += 10_000;
    jest.advanceTimersByTime(10_000);
    const first = JSON.parse(lines[0]);
    expect(first).not.toHaveProperty('eta_s');
    expect(first).not.toHaveProperty('listing_done');
    progress.objectListed(1000);
    progress.listingDone();
    progress.bytesRead(500);
    clock += 10_000;
    jest.advanceTimersByTime(10_000);
    // 500 bytes in 10 s = 50 B/s; 2000 listed - 1000 read = 1000 left → 20 s.
    expect(JSON.parse(lines[1])).toMatchObject({ objects_listed: 2, bytes_per_second: 50, eta_s: 20, listing_done: true });
    progress.finish();
  });

  it('prints nothing at all when turned off', () => {
    const { stream, text } = fakeStream(true);
    const progress = createProgressReporter({ mode: 'off', stream, now: () => clock });
    progress.objectListed(10);
    progress.objectStarted('x');
    progress.bytesRead(10);
    progress.objectDone();
    jest.advanceTimersByTime(300_000);
    progress.finish();
    expect(text()).toBe('');
  });
});

describe('progress on a terminal', () => {
  it('draws a bar with objects done of listed, bytes and rate', () => {
    const { stream, text } = fakeStream(true);
    let clock = 0;
    const progress = createProgressReporter({ mode: 'auto', stream, now: () => clock });
    progress.objectListed(1024);
    progress.objectListed(1024);
    progress.objectListed(1024);
    progress.listingDone();
    progress.objectStarted('a');
    clock += 1000;
    progress.bytesRead(1536);
    progress.recordsRead(3000);
    progress.objectDone();
    progress.objectStarted('b');
    clock += 1000;
    progress.objectDone();
    progress.finish();
    const plain = text().replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    expect(plain).toContain('2/3 objects | 1.5 KiB / 3.0 KiB');
    // 1536 bytes and 3000 records over the 2 s between the first and last refresh.
    expect(plain).toContain('| 768 B/s | 1.5k records/s | ETA 2s');
  });

  it('marks the total as a lower bound while the listing goes on, and gives no ETA', () => {
    const { stream, text } = fakeStream(true);
    let clock = 0;
    const progress = createProgressReporter({ mode: 'auto', stream, now: () => clock });
    progress.objectListed(1024);
    progress.objectListed(1024);
    progress.objectStarted('a');
    clock += 1000;
    progress.bytesRead(1024);
    progress.objectDone();
    progress.finish();
    const plain = text().replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    expect(plain).toContain('1/2+ objects | 1.0 KiB / 2.0 KiB');
    expect(plain).toContain('| ETA -');
  });

  it('--no-progress turns the bar into log lines', () => {
    expect(progressModeFromArgs(false)).toBe('log');
    expect(progressModeFromArgs(true)).toBe('auto');
    expect(progressModeFromArgs(undefined)).toBe('auto');
    // --log-format json: progress lines, on a terminal too.
    expect(progressModeFromArgs(undefined, 'json')).toBe('log');
    expect(progressModeFromArgs(true, 'json')).toBe('log');
    expect(progressModeFromArgs(undefined, 'text')).toBe('auto');
    const { stream, text } = fakeStream(true);
    const progress = createProgressReporter({ mode: progressModeFromArgs(false), stream });
    progress.finish();
    expect(JSON.parse(text())).toMatchObject({ msg: 'progress', done: true });
  });
});

describe('formatting', () => {
  it('formats bytes in binary units and durations compactly', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(formatCount(950)).toBe('950');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(2_500_000)).toBe('2.5M');
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3725)).toBe('1h02m05s');
  });
});
