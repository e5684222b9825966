import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { closingLine, readNdjson, spawnCli, type SpawnedCliResult } from '../support/cliRunner';
import { comparableSummaries, filesUnder, shardOfName, ledgerOf, runFigures, writeGeneratedArchives, type GeneratedArchives } from './shardedBackfillKit';

// One backfill as 4 shard processes of the built CLI and their merge, against a single run over the same
// generated archives: the merge's summaries must be the single run's, apart from generated_at and run_id.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const KILL_BEFORE_DONE = path.join(ROOT, 'test', 'support', 'killShardBeforeDone.js');
const SHARDS = 4;
const DAYS = ['--from', '2024-03-01', '--to', '2024-03-03'];

let dir: string;
let archives: string;
let generated: GeneratedArchives;
const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<SpawnedCliResult> =>
  spawnCli(CLI, args, { cwd: dir, env: { PATH: process.env.PATH, ...extraEnv } });
const shard = (index: number, state: string, extraEnv: NodeJS.ProcessEnv = {}) =>
  cli(['run', '--input', archives, ...DAYS, '--state', state, '--shard', `${index}/${SHARDS}`, '--log-format', 'json', '--no-progress'], extraEnv);
const merge = (state: string, output: string) =>
  cli(['merge', '--state', state, '--shards', String(SHARDS), '--output', output, '--log-format', 'json', '--no-progress', '--no-table']);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-shards-'));
  archives = path.join(dir, 'archives');
  generated = writeGeneratedArchives(archives, SHARDS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('4 shards and their merge over a local --state', () => {
  let single: any[];
  let merged: any[];
  let killed: SpawnedCliResult;
  let refused: SpawnedCliResult;
  const state = () => path.join(dir, 'sharded-state');
  const objectsOfShard = (index: number) =>
    JSON.parse(gunzipSync(readFileSync(path.join(state(), `shards/${SHARDS}/${index}/objects.json.gz`))).toString('utf8')).files;

  beforeAll(async () => {
    const alone = await cli(['run', '--input', archives, ...DAYS, '--state', path.join(dir, 'single-state'), '--output', path.join(dir, 'single.ndjson'), '--no-table', '--log-format', 'json', '--no-progress']);
    expect([alone.code, alone.stderr.match(/"level":"error".*/)?.[0]]).toEqual([0, undefined]);
    single = readNdjson(readFileSync(path.join(dir, 'single.ndjson'), 'utf8'));

    const shards = await Promise.all([0, 1, 2, 3].map((index) => shard(index, state())));
    expect(shards.map((result) => [result.code, result.stderr.match(/"level":"error".*/)?.[0]])).toEqual(shards.map(() => [0, undefined]));
  }, 120_000);

  test('each object lands on the shard its name hashes to, and some log_ids are in objects of two shards', () => {
    for (let index = 0; index < SHARDS; index++) {
      const entries = Object.values(objectsOfShard(index) as Record<string, Array<[string, number, string, string?]>>).flat();
      const held = entries.map(([name]) => path.relative(archives, name));
      const expected = generated.names.filter((name) => shardOfName(name, SHARDS) === index);
      expect(held.sort()).toEqual(expected.sort());
      // Objects with records outside --from/--to are done with for these days only: their entries say which.
      const readFor = entries.filter((entry) => entry.length === 4).map(([name, , , days]) => [path.relative(archives, name), days]);
      const outside = expected.filter((name) => generated.outOfRange.has(name));
      expect(readFor.sort()).toEqual(outside.sort().map((name) => [name, `${DAYS[1]}..${DAYS[3]}`]));
    }
    expect(new Set(generated.names.map((name) => shardOfName(name, SHARDS))).size).toBe(SHARDS);
    expect(generated.crossShardDuplicates.length).toBeGreaterThanOrEqual(3);
    expect(generated.outOfRange.size).toBeGreaterThan(0);
  });

  test('a shard killed before its done.json makes the merge refuse, naming it; nothing is delivered or committed', async () => {
    killed = await shard(2, state(), { NODE_OPTIONS: `-r ${KILL_BEFORE_DONE}` });
    expect([killed.code, killed.stderr.includes('killed before done.json')]).toEqual([null, true]);
    refused = await merge(state(), path.join(dir, 'refused.ndjson'));
    expect(refused.code).toBe(1);
    expect(closingLine(refused.stderr)).toMatchObject({
      level: 'error',
      code: 'ERR_SHARDS_INCOMPLETE',
      exit_code: 1,
      msg: `cannot merge ${state()}: shard 2 of 4 did not finish (no shards/4/2/done.json): run it again, then the merge`,
    });
    expect(existsSync(path.join(dir, 'refused.ndjson'))).toBe(false);
    expect(existsSync(path.join(state(), 'manifest.json'))).toBe(false);
  }, 60_000);

  test('rerun, the shard lets the merge finish: its summaries are the single run\'s, apart from generated_at and run_id', async () => {
    const again = await shard(2, state());
    expect(again.code).toBe(0);
    const result = await merge(state(), path.join(dir, 'merged.ndjson'));
    expect([result.code, result.stderr.match(/"level":"(error|warn)".*/)?.[0]]).toEqual([0, undefined]);
    merged = readNdjson(readFileSync(path.join(dir, 'merged.ndjson'), 'utf8'));
    expect(comparableSummaries(merged)).toEqual(comparableSummaries(single));
    expect(comparableSummaries(merged).length).toBeGreaterThan(50);
  }, 60_000);

  test('the merge\'s run event states the shards\' reading as the single run did, and says it merged 4 shards', () => {
    const mergedRun = merged.at(-1).event;
    const singleRun = single.at(-1).event;
    expect(runFigures(mergedRun)).toEqual(runFigures(singleRun));
    // Worked out from the generator: 12 objects; 12 × 45 records + 2 without an id; 12 × 5 redelivered; one bad line, one record without a date.
    expect([mergedRun.objects, mergedRun.records, mergedRun.malformed, mergedRun.rejected, mergedRun.merged_shards]).toEqual([12, 542, 1, 1, 4]);
    expect(mergedRun.duplicates).toBeGreaterThanOrEqual(60);
    expect(singleRun).not.toHaveProperty('merged_shards');
  });

  test('the merge commits the ledger a single run would and removes the partials', async () => {
    expect(ledgerOf(state())).toEqual(ledgerOf(path.join(dir, 'single-state')));
    expect(filesUnder(state()).filter((name) => name.startsWith('shards/'))).toEqual([]);
    // A later run over the same days reads what it would read after the single run: nothing, since the objects with
    // days outside the range were recorded for these days.
    const later = async (stateDir: string, name: string) => {
      const result = await cli(['run', '--input', archives, ...DAYS, '--state', stateDir, '--output', path.join(dir, name), '--no-table', '--log-format', 'json', '--no-progress']);
      expect(result.code).toBe(0);
      return readNdjson(readFileSync(path.join(dir, name), 'utf8'));
    };
    const afterMerge = await later(state(), 'after-merge.ndjson');
    const afterSingle = await later(path.join(dir, 'single-state'), 'after-single.ndjson');
    expect(runFigures(afterMerge.at(-1).event)).toEqual(runFigures(afterSingle.at(-1).event));
    expect(afterMerge.at(-1).event).toMatchObject({ objects: 0, summaries: 0 });
  }, 60_000);
});
