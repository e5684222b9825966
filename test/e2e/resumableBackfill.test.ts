import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runJob, type RunOutcome } from '../../src/run/runJob';
import type { ProgressReporter } from '../../src/run/progressReporter';
import { RunState } from '../../src/state/runState';
import { CollectingSink, comparable, configWith, latestVersions, openLocal, silentLogger } from '../unit/state/stateTestKit';

// A backfill committed as it goes: stopped after a third of its 60 days, the rerun reads only the rest, and the
// latest copy of every summary equals an uninterrupted run's.
const GENERATOR = path.resolve(__dirname, '../../scripts/generate-archives.js');
const config = configWith();
const DAYS = 60;
/** Two files a day: 120 objects. */
const OBJECTS = 2 * DAYS;
const CONCURRENCY = 3;
let dir: string;
let archives: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-resumable-'));
  archives = path.join(dir, 'archives');
  // Two files per UTC day, two tenants; 3 % of records written twice, so that de-duplication has to hold
  // across the checkpoints.
  execFileSync(
    process.execPath,
    [GENERATOR, '--out', archives, '--days', String(DAYS), '--records', '60', '--seed', '3', '--files-per-day', '2', '--format', 'ndjson', '--no-gzip', '--duplicates', '0.03'],
    { stdio: 'ignore' },
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Counts objects read to their end; calls `onDone` with the count after each. */
function countingProgress(onDone: (done: number) => void = () => undefined): ProgressReporter {
  let done = 0;
  return { objectListed() {}, listingDone() {}, objectStarted() {}, bytesRead() {}, recordsRead() {}, objectRetried() {}, objectDone: () => onDone(++done), finish() {} };
}

interface BackfillOptions {
  checkpointObjects?: number;
  checkpointMs?: number;
  concurrency?: number;
  now?(): Date;
  signal?: AbortSignal;
  progress?: ProgressReporter;
}

async function backfill(stateDir: string, extra: BackfillOptions = {}) {
  const sink = new CollectingSink();
  const state = await RunState.open({ location: stateDir, timezone: 'UTC', config, logger: silentLogger });
  const outcome: RunOutcome = await runJob({
    inputs: [archives],
    config,
    timezone: 'UTC',
    openSource: openLocal,
    sinks: [sink],
    concurrency: extra.concurrency ?? CONCURRENCY,
    logger: silentLogger,
    state,
    checkpoint: { objects: extra.checkpointObjects ?? 1_000_000, ms: extra.checkpointMs ?? 3_600_000 },
    now: extra.now,
    signal: extra.signal,
    progress: extra.progress ?? countingProgress(),
  });
  return { outcome, events: sink.events };
}

// Sorted by their JSON text, each made once (not once per comparison).
const latest = (...runs: Array<{ events: CollectingSink['events'] }>) =>
  [...latestVersions(...runs.map((run) => run.events)).values()]
    .map((event) => { const value = comparable(event); return { value, text: JSON.stringify(value) }; })
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .map(({ value }) => value);

let uninterrupted: Awaited<ReturnType<typeof backfill>>;
beforeAll(async () => {
  uninterrupted = await backfill(path.join(dir, 'state-uninterrupted'));
  expect(uninterrupted.outcome.exitCode).toBe(0);
  expect(uninterrupted.outcome.checkpoints).toEqual({ commits: 0, objects: 0 });
  expect(uninterrupted.outcome.run).toMatchObject({ objects: OBJECTS, status: 'ok' });
}, 60_000);

test('checkpoints every 23 objects: the same latest summaries as one commit, and the run event covers the whole run', async () => {
  const checkpointed = await backfill(path.join(dir, 'state-checkpointed'), { checkpointObjects: 23 });
  expect(checkpointed.outcome.exitCode).toBe(0);
  // 120 objects in parts of 23: 5 checkpoints (115 objects), then the last part of 5.
  expect(checkpointed.outcome.checkpoints).toEqual({ commits: 5, objects: 115 });
  const { run } = checkpointed.outcome;
  const whole = uninterrupted.outcome.run;
  expect([run.objects, run.records, run.duplicates, run.days]).toEqual([whole.objects, whole.records, whole.duplicates, whole.days]);
  expect(whole.duplicates).toBeGreaterThan(0);
  expect(latest(checkpointed)).toEqual(latest(uninterrupted));
  // A part of 23 objects ends halfway through a day (two files a day): that day was delivered at the checkpoint
  // and again, complete, in the next part, under the same summary_id.
  expect(checkpointed.events.length).toBeGreaterThan(uninterrupted.events.length);
}, 60_000);

test('checkpoints by time: with one object a minute and --checkpoint-minutes 25, parts of 25 objects', async () => {
  let clock = Date.parse('2024-03-01T00:00:00Z');
  const timed = await backfill(path.join(dir, 'state-timed'), {
    checkpointMs: 25 * 60_000,
    concurrency: 1,
    now: () => new Date(clock),
    progress: countingProgress(() => (clock += 60_000)),
  });
  expect(timed.outcome.exitCode).toBe(0);
  // The 26th object of a part would start 25 minutes in: the part ends before it. Parts of 25, 25, 25, 25 and 20:
  // 4 checkpoints.
  expect(timed.outcome.checkpoints).toEqual({ commits: 4, objects: 100 });
  expect(latest(timed)).toEqual(latest(uninterrupted));
}, 60_000);

test('stopped after a third of the objects: the rerun reads only the rest, and the latest summaries equal an uninterrupted run\'s', async () => {
  const stateDir = path.join(dir, 'state-stopped');
  const stop = new AbortController();
  const first = await backfill(stateDir, {
    checkpointObjects: 23,
    signal: stop.signal,
    progress: countingProgress((done) => {
      if (done === OBJECTS / 3) stop.abort(new Error('stopped by SIGINT'));
    }),
  });
  expect(first.outcome.exitCode).toBe(1);
  expect(first.outcome.run).toMatchObject({ status: 'failed', error: 'stopped by SIGINT while reading' });
  // Every object read to its end before the stop was kept: the checkpoints of 23 and the last one at the stop.
  const kept = first.outcome.checkpoints.objects;
  expect(kept).toBe(first.outcome.run.objects);
  expect(kept).toBeGreaterThanOrEqual(OBJECTS / 3);
  expect(kept).toBeLessThanOrEqual(OBJECTS / 3 + CONCURRENCY - 1);

  const rerun = await backfill(stateDir, { checkpointObjects: 23 });
  expect(rerun.outcome.exitCode).toBe(0);
  // At most the remaining two thirds plus the objects that were in flight; and no object twice or never.
  expect(rerun.outcome.run.objects).toBeLessThanOrEqual((2 * OBJECTS) / 3 + CONCURRENCY);
  expect(rerun.outcome.run.objects + kept).toBe(OBJECTS);
  expect(first.outcome.run.records + rerun.outcome.run.records).toBe(uninterrupted.outcome.run.records);
  expect(latest(first, rerun)).toEqual(latest(uninterrupted));
}, 60_000);

test('the state of a stopped and resumed backfill commits the same figures as an uninterrupted one', () => {
  const manifest = (name: string) => JSON.parse(readFileSync(path.join(dir, name, 'manifest.json'), 'utf8'));
  const days = (name: string) => manifest(name).days.map((d: { tenant: string; day: string; events: number; logIds: string | null }) => [d.tenant, d.day, d.events, d.logIds === null]);
  // The last commit prunes log_ids by --dedup-days (45) as an uninterrupted run does.
  expect(days('state-stopped')).toEqual(days('state-uninterrupted'));
  expect(days('state-checkpointed')).toEqual(days('state-uninterrupted'));
});
