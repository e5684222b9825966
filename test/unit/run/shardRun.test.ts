import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runShard } from '../../../src/run/shardRun';
import { DEFAULT_EXCLUDES } from '../../../src/sources/inputFilter';
import { LocalFileSource } from '../../../src/sources/localFiles';
import { LocalStateStorage } from '../../../src/state/localStateStorage';
import { ObjectIndex } from '../../../src/state/objectIndex';
import type { ShardSpec } from '../../../src/state/shardPartial';
import { rollupConfigFingerprint } from '../../../src/state/stateManifest';
import { readNdjson, runCli } from '../../support/cliRunner';
import { comparableSummaries, runFigures, shardOfName, writeGeneratedArchives } from '../../e2e/shardedBackfillKit';
import { configWith, silentLogger } from '../state/stateTestKit';

// Shards whose record files are sealed after every object (as a large shard's are after 16 MiB): the merge reads
// several files a shard, each standing for its own objects in the ledger, and still equals a single run.
let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-shard-run-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('one record file per object: each lists its own object, and the merge equals a single run', async () => {
  const archives = path.join(dir, 'archives');
  const { names } = writeGeneratedArchives(archives, 2, 6);
  const state = path.join(dir, 'state');
  const spec: ShardSpec = { inputs: [archives], include: [], exclude: [...DEFAULT_EXCLUDES], timezone: 'UTC', from: null, to: null, rollup_config: rollupConfigFingerprint(configWith()) };
  for (const index of [0, 1]) {
    const storage = new LocalStateStorage(state);
    const done = await runShard({
      shard: { index, count: 2 },
      spec,
      inputs: spec.inputs,
      openSource: (input) => new LocalFileSource(input),
      storage,
      ledger: new ObjectIndex(),
      defaultTenant: configWith().tenant,
      concurrency: 1,
      logger: silentLogger,
      recordFileBytes: 1,
    });
    await storage.close();
    const mine = names.filter((name) => shardOfName(name, 2) === index);
    expect(done.files).toHaveLength(mine.length);
    const lists = JSON.parse(gunzipSync(readFileSync(path.join(state, `shards/2/${index}/objects.json.gz`))).toString('utf8')).files;
    // Without --from/--to every object is done with: each file stands for exactly the one object it holds.
    expect(Object.keys(lists)).toEqual(done.files);
    expect(Object.values(lists).map((entries: any) => entries.map(([name]: [string]) => path.relative(archives, name)))).toEqual(
      expect.arrayContaining(mine.map((name) => [name])),
    );
  }
  const single = await runCli(['run', '--input', archives, '--output', path.join(dir, 'single.ndjson'), '--no-table', '--no-decode-workers']);
  const merged = await runCli(['merge', '--state', state, '--shards', '2', '--output', path.join(dir, 'merged.ndjson'), '--no-table', '--no-decode-workers']);
  expect([single.code, merged.code]).toEqual([0, 0]);
  const singleEvents = readNdjson(readFileSync(path.join(dir, 'single.ndjson'), 'utf8'));
  const mergedEvents = readNdjson(readFileSync(path.join(dir, 'merged.ndjson'), 'utf8'));
  expect(comparableSummaries(mergedEvents)).toEqual(comparableSummaries(singleEvents));
  expect(runFigures(mergedEvents.at(-1).event)).toEqual(runFigures(singleEvents.at(-1).event));
});
