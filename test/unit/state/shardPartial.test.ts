import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { LocalStateStorage } from '../../../src/state/localStateStorage';
import { ShardMismatchError, ShardPartialWriter, ShardsIncompleteError, readFinishedShards, type ShardSpec } from '../../../src/state/shardPartial';

const SPEC: ShardSpec = {
  inputs: ['s3://logs/'],
  include: [],
  exclude: [],
  timezone: 'UTC',
  from: null,
  to: null,
  rollup_config: 'abc',
  item_limits: { max_item_bytes: 16 * 1024 * 1024, max_item_keys: 10_000 },
};
const COUNTS = { objects: 1, bytes: 10, records: 1, malformed: 0, rejected: 0, quarantine_truncated: 0, skipped: 0 };

let dir: string;
let storage: LocalStateStorage;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-shard-partial-'));
  storage = new LocalStateStorage(dir);
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

async function finishShard(shards: number, index: number, spec: ShardSpec, data = gzipSync(`{"shard":${index}}\n`)) {
  const writer = await ShardPartialWriter.start(storage, shards, index);
  await writer.writeRecordFile(data, [{ name: `s3://logs/${index}.gz`, size: 10, version: 'v1' }]);
  return writer.finish(spec, COUNTS, new Date('2024-03-01T00:00:00Z'));
}

async function refusal(shards: number): Promise<string> {
  const error = await readFinishedShards(storage, shards).then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(ShardMismatchError);
  return (error as Error).message;
}

test('done.json holds the SHA-256 of each record file', async () => {
  const data = gzipSync('{"a":1}\n');
  const done = await finishShard(1, 0, SPEC, data);
  expect(done.digests).toEqual({ [done.files[0]!]: createHash('sha256').update(data).digest('hex') });
  expect((await readFinishedShards(storage, 1))[0]!.done.digests).toEqual(done.digests);
});

test('a shard count none of whose shards finished names the counts that did; a partly finished set does not', async () => {
  for (const index of [0, 1]) await finishShard(2, index, SPEC);
  await finishShard(4, 0, SPEC);
  const incomplete = async (shards: number) => {
    const error = await readFinishedShards(storage, shards).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(ShardsIncompleteError);
    return (error as Error).message;
  };
  expect(await incomplete(3)).toBe(
    `cannot merge ${dir}: no shard of a set of 3 ran here (nothing under shards/3/): run shards 0 to 2 with this --state first, then the merge ` +
      '(shards of a set of 2 and of 4 finished here: is --shards 2 or 4 the count they ran with?)',
  );
  // One shard of 3 started and was stopped before done.json: the set ran here, and is to run again.
  await storage.write('shards/3/1/records-00000.ndjson.gz', gzipSync('{"a":1}\n'));
  expect(await incomplete(3)).toBe(
    `cannot merge ${dir}: shards 0, 1, 2 of 3 did not finish (no shards/3/0/done.json): run them again, then the merge ` +
      '(shards of a set of 2 and of 4 finished here: is --shards 2 or 4 the count they ran with?)',
  );
  expect(await incomplete(1)).toBe(
    `cannot merge ${dir}: no shard of a set of 1 ran here (nothing under shards/1/): run shard 0 with this --state first, then the merge ` +
      '(shards of a set of 2 and of 4 finished here: is --shards 2 or 4 the count they ran with?)',
  );
  // Shard 0 of 4 finished: the count is right, the others are to run.
  expect(await incomplete(4)).toBe(`cannot merge ${dir}: shards 1, 2, 3 of 4 did not finish (no shards/4/1/done.json): run them again, then the merge`);
});

test('the odd shard is named, not the shards that agree, with the setting it differs in', async () => {
  await finishShard(5, 0, { ...SPEC, from: '2024-01-02' });
  for (const index of [1, 2, 3, 4]) await finishShard(5, index, SPEC);
  expect(await refusal(5)).toBe(`cannot merge ${dir}: shard 0 (--from/--to) ran with other settings than shards 1, 2, 3, 4: run it again with the same ones as the others`);
});

test('several settings and several odd shards are all named, each with what it differs in', async () => {
  for (const index of [0, 1, 2]) await finishShard(5, index, SPEC);
  await finishShard(5, 3, { ...SPEC, timezone: 'Europe/Berlin', exclude: ['*.tmp'] });
  await finishShard(5, 4, { ...SPEC, from: '2024-01-02' });
  expect(await refusal(5)).toBe(
    `cannot merge ${dir}: shards 3 (--include/--exclude, --timezone), 4 (--from/--to) ran with other settings than shards 0, 1, 2: run them again with the same ones as the others`,
  );
});

test('shards run with other item limits are refused: the limits decide which items count', async () => {
  await finishShard(2, 0, SPEC);
  await finishShard(2, 1, { ...SPEC, item_limits: { max_item_bytes: 16 * 1024 * 1024, max_item_keys: 5 } });
  // Two groups of one: no majority says which shard is odd.
  expect(await refusal(2)).toBe(
    `cannot merge ${dir}: the shards did not all run with the same settings: shard 1 (--max-item-bytes/--max-item-keys) differs from shard 0: run them all with the same ones`,
  );
});

test('a partial of an earlier version, which does not state its item limits, merges beside current ones', async () => {
  const { item_limits: _limits, ...older } = SPEC;
  await finishShard(2, 0, older);
  await finishShard(2, 1, SPEC);
  expect((await readFinishedShards(storage, 2)).map(({ done }) => done.shard)).toEqual([0, 1]);
});

test('an object list the merge cannot take is named, with the first thing wrong in it', async () => {
  await finishShard(1, 0, SPEC);
  // Of a later format version.
  await storage.write('shards/1/0/objects.json.gz', gzipSync(JSON.stringify({ version: 2, files: {} })));
  const error = await readFinishedShards(storage, 1).then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(ShardsIncompleteError);
  expect((error as Error).message).toBe(
    `cannot merge ${dir}: unreadable: shard 0 (shards/1/0/objects.json.gz version: Invalid input: expected 1): run it again, then the merge`,
  );
});
