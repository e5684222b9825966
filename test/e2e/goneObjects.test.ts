import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runJob } from '../../src/run/runJob';
import type { ProgressReporter } from '../../src/run/progressReporter';
import { RunState } from '../../src/state/runState';
import { createLogger } from '../../src/support/logger';
import { runShard } from '../../src/run/shardRun';
import { DEFAULT_EXCLUDES } from '../../src/sources/inputFilter';
import { LocalStateStorage } from '../../src/state/localStateStorage';
import { ObjectIndex } from '../../src/state/objectIndex';
import type { ShardSpec } from '../../src/state/shardPartial';
import { rollupConfigFingerprint } from '../../src/state/stateManifest';
import { readNdjson, runCli } from '../support/cliRunner';
import { CollectingSink, configWith, login, openLocal, silentLogger, writeArchive } from '../unit/state/stateTestKit';

// A run lists its input once, before it reads (a backfill in parts, hours before its last part). An object deleted
// after the listing is passed over with a warning, not recorded as read: the run goes on, and a later run reads it
// if it is back.
const config = configWith();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-gone-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Calls `afterFirst` once the first object was read to its end. */
function deletingProgress(afterFirst: () => void): ProgressReporter {
  let done = 0;
  return { objectListed() {}, listingDone() {}, objectStarted() {}, bytesRead() {}, recordsRead() {}, objectRetried() {}, objectDone: () => ++done === 1 && afterFirst(), finish() {} };
}

async function run(input: string, stateDir: string, progress?: ProgressReporter) {
  const lines = new PassThrough();
  let logged = '';
  lines.on('data', (chunk: Buffer) => (logged += chunk.toString()));
  const sink = new CollectingSink();
  const state = await RunState.open({ location: stateDir, timezone: 'UTC', config, logger: silentLogger });
  const outcome = await runJob({
    inputs: [input], config, timezone: 'UTC', openSource: openLocal, sinks: [sink], concurrency: 1,
    logger: createLogger({ level: 'info', format: 'json', stream: lines }), state, checkpoint: { objects: 1, ms: 3_600_000 }, progress,
  });
  return { outcome, events: sink.events, log: logged.trimEnd().split('\n').map((line) => JSON.parse(line)) };
}

test('an object deleted after the listing is passed over with a warning, and read by a later run once it is back', async () => {
  const input = path.join(dir, 'archives');
  // Three days, one login each, one file a day: read one a part (checkpoints), in path order.
  const files = [1, 2, 3].map((d) => writeArchive(input, `2024-03-0${d}.ndjson`, [login(d, `2024-03-0${d}T10:00:00Z`, `u${d}`)]));
  const third = readFileSync(files[2]!);
  const stateDir = path.join(dir, 'state');

  const first = await run(input, stateDir, deletingProgress(() => rmSync(files[2]!)));
  expect(first.outcome.exitCode).toBe(0);
  // The run event says so too: for alerts, and the analysts' job-health search.
  expect(first.outcome.run).toMatchObject({ status: 'ok', objects: 2, records: 2, objects_gone: 1 });
  expect(first.events.flatMap((e) => (e.event.summary === 'daily' ? [e.event.day] : []))).toEqual(['2024-03-01', '2024-03-02']);
  expect(first.log.filter((line) => line.level === 40 || line.level === 'warn').map((line) => [line.msg, line.object])).toEqual([
    ['a listed object was gone when its turn came (deleted since the listing): passed over, not recorded as read', files[2]],
  ]);

  // Back again: the next run reads it (it was not recorded), and only it.
  writeFileSync(files[2]!, third);
  const second = await run(input, stateDir);
  expect(second.outcome.run).toMatchObject({ status: 'ok', objects: 1, records: 1 });
  expect(second.outcome.run.objects_gone).toBeUndefined();
  expect(second.events.flatMap((e) => (e.event.summary === 'daily' ? [e.event.day] : []))).toEqual(['2024-03-03']);
});

test('a shard passes over a deleted object too, and the merge\'s run event counts it (objects_gone from done.json)', async () => {
  const input = path.join(dir, 'archives');
  const files = [1, 2, 3].map((d) => writeArchive(input, `2024-03-0${d}.ndjson`, [login(d, `2024-03-0${d}T10:00:00Z`, `u${d}`)]));
  const stateDir = path.join(dir, 'state');
  const spec: ShardSpec = { inputs: [input], include: [], exclude: [...DEFAULT_EXCLUDES], timezone: 'UTC', from: null, to: null, rollup_config: rollupConfigFingerprint(config) };
  const storage = new LocalStateStorage(stateDir);
  const done = await runShard({
    shard: { index: 0, count: 1 },
    spec,
    inputs: spec.inputs,
    openSource: openLocal,
    storage,
    ledger: new ObjectIndex(),
    defaultTenant: config.tenant,
    concurrency: 1,
    logger: silentLogger,
    progress: deletingProgress(() => rmSync(files[2]!)),
  });
  await storage.close();
  expect(done.counts).toMatchObject({ objects: 2, records: 2, objects_gone: 1 });

  const merged = await runCli(['merge', '--state', stateDir, '--shards', '1', '--output', path.join(dir, 'merged.ndjson'), '--no-table', '--no-decode-workers']);
  expect(merged.code).toBe(0);
  const run = readNdjson(readFileSync(path.join(dir, 'merged.ndjson'), 'utf8')).at(-1).event;
  expect(run).toMatchObject({ summary: 'run', status: 'ok', objects: 2, objects_gone: 1, merged_shards: 1 });
  // The operator's log says it as well, on the line a cron mail or a log search shows.
  const finished = readNdjson(merged.stderr).find((line) => line.msg === 'run finished');
  expect(finished).toMatchObject({ objects: 2, objects_gone: 1 });
});
