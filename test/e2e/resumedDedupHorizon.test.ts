import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runJob } from '../../src/run/runJob';
import type { ProgressReporter } from '../../src/run/progressReporter';
import { RunState } from '../../src/state/runState';
import { CollectingSink, configWith, kindOf, login, openLocal, silentLogger, writeArchive } from '../unit/state/stateTestKit';

// A run stopped after a checkpoint and run again must count what one uninterrupted run counts. Here the run's first
// object moves the newest day two months ahead, and a later object redelivers records of an old day whose log_ids
// the state keeps: the uninterrupted run finds them duplicates, and so must the resumed one.
const config = configWith();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-resumed-horizon-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OLD = [login(1, '2024-01-02T10:00:00.000Z', 'u1'), login(2, '2024-01-02T11:00:00.000Z', 'u2'), login(3, '2024-01-02T12:00:00.000Z', 'u3')];
const NEW = [login(4, '2024-03-01T10:00:00.000Z', 'u4')];

function progressStoppingAfter(objects: number, stop: AbortController): ProgressReporter {
  let done = 0;
  return {
    objectListed() {},
    listingDone() {},
    objectStarted() {},
    bytesRead() {},
    recordsRead() {},
    objectRetried() {},
    objectDone: () => {
      if (++done === objects) stop.abort(new Error('stopped by SIGTERM'));
    },
    finish() {},
  };
}

async function run(stateDir: string, inputs: string[], stop?: AbortController, dedupDays?: number) {
  const sink = new CollectingSink();
  const state = await RunState.open({ location: stateDir, timezone: 'UTC', config, logger: silentLogger, dedupDays });
  const outcome = await runJob({
    inputs,
    config,
    timezone: 'UTC',
    openSource: openLocal,
    sinks: [sink],
    concurrency: 1,
    logger: silentLogger,
    state,
    checkpoint: { objects: 1, ms: 3_600_000 },
    signal: stop?.signal,
    progress: stop ? progressStoppingAfter(1, stop) : undefined,
  });
  return { outcome, events: sink.events };
}

test('stopped after the checkpoint that moved the newest day ahead, the rerun still finds the old day\'s redelivered records duplicates', async () => {
  const old = path.join(dir, 'old');
  writeArchive(old, 'a.ndjson', OLD);
  const later = path.join(dir, 'later');
  writeArchive(later, 'b.ndjson', NEW);
  const redelivered = path.join(dir, 'redelivered');
  mkdirSync(redelivered);
  copyFileSync(path.join(old, 'a.ndjson'), path.join(redelivered, 'c.ndjson'));

  // Two states with the old day committed: 2024-01-02, 3 events, its log_ids kept.
  for (const name of ['uninterrupted', 'stopped']) {
    const first = await run(path.join(dir, name), [old]);
    expect(first.outcome.exitCode).toBe(0);
    expect(kindOf(first.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-01-02', 3]]);
  }

  // Uninterrupted: 2024-03-01's object (one new record), then the redelivery (3 records, all counted before).
  const whole = await run(path.join(dir, 'uninterrupted'), [later, redelivered]);
  expect(whole.outcome.exitCode).toBe(0);
  expect([whole.outcome.run.objects, whole.outcome.run.records, whole.outcome.run.duplicates, whole.outcome.run.dedup_unavailable]).toEqual([2, 4, 3, 0]);
  expect(kindOf(whole.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-03-01', 1]]);

  // Stopped once 2024-03-01's object is read: it is committed (the last checkpoint); the rerun reads the redelivery.
  const stop = new AbortController();
  const first = await run(path.join(dir, 'stopped'), [later, redelivered], stop);
  expect(first.outcome.exitCode).toBe(1);
  expect(first.outcome.checkpoints.objects).toBe(1);
  const rerun = await run(path.join(dir, 'stopped'), [later, redelivered]);
  expect(rerun.outcome.exitCode).toBe(0);
  // The same 3 records, found duplicates as the uninterrupted run found them: 2024-01-02 keeps its 3 events.
  expect([rerun.outcome.run.objects, rerun.outcome.run.records, rerun.outcome.run.duplicates, rerun.outcome.run.dedup_unavailable]).toEqual([1, 3, 3, 0]);
  expect(kindOf(rerun.events, 'daily')).toEqual([]);
});

test('a run with a smaller --dedup-days still finds duplicates in the log_ids the state keeps, then prunes them', async () => {
  const stateDir = path.join(dir, 'narrowed');
  const old = path.join(dir, 'narrowed-old');
  writeArchive(old, 'a.ndjson', OLD);
  writeArchive(old, 'b.ndjson', NEW);
  // --dedup-days 90 from 2024-03-01 keeps 2024-01-02's log_ids.
  const first = await run(stateDir, [old], undefined, 90);
  expect(first.outcome.exitCode).toBe(0);
  const redelivered = path.join(dir, 'narrowed-redelivered');
  mkdirSync(redelivered);
  copyFileSync(path.join(old, 'a.ndjson'), path.join(redelivered, 'c.ndjson'));
  const narrowed = await run(stateDir, [redelivered], undefined, 10);
  expect(narrowed.outcome.exitCode).toBe(0);
  // The 3 records were counted by the first run, and the state still holds their log_ids: duplicates.
  expect([narrowed.outcome.run.records, narrowed.outcome.run.duplicates, narrowed.outcome.run.dedup_unavailable]).toEqual([3, 3, 0]);
  expect(kindOf(narrowed.events, 'daily')).toEqual([]);
  // Its commit prunes by --dedup-days 10: from 2024-02-21 on.
  const manifest = JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8'));
  expect(manifest.days.map((d: { day: string; logIds: string | null }) => [d.day, d.logIds === null])).toEqual([
    ['2024-01-02', true],
    ['2024-03-01', false],
  ]);
});
