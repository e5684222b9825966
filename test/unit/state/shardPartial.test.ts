import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { LocalStateStorage } from '../../../src/state/localStateStorage';
import { ShardMismatchError, ShardPartialWriter, ShardsIncompleteError, mergedAlready, readFinishedShards, removeShardPartials, type ShardSpec } from '../../../src/state/shardPartial';

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

async function incomplete(shards: number): Promise<string> {
  const error = await readFinishedShards(storage, shards).then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(ShardsIncompleteError);
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

test('one shard of a set that did not finish is named in the singular, with the done.json it lacks', async () => {
  await finishShard(3, 0, SPEC);
  await finishShard(3, 2, SPEC);
  expect(await incomplete(3)).toBe(`cannot merge ${dir}: shard 1 of 3 did not finish (no shards/3/1/done.json): run it again, then the merge`);
});

test('a set none of whose shards finished, one of them started: no hint of other counts when none finished here', async () => {
  await storage.write('shards/2/1/records-00000.ndjson.gz', gzipSync('{"a":1}\n'));
  expect(await incomplete(2)).toBe(`cannot merge ${dir}: shards 0, 1 of 2 did not finish (no shards/2/0/done.json): run them again, then the merge`);
});

test('the counts that finished here are hinted at in numeric order (9 before 10)', async () => {
  await finishShard(10, 0, SPEC);
  await finishShard(9, 0, SPEC);
  expect(await incomplete(3)).toBe(
    `cannot merge ${dir}: no shard of a set of 3 ran here (nothing under shards/3/): run shards 0 to 2 with this --state first, then the merge ` +
      '(shards of a set of 9 and of 10 finished here: is --shards 9 or 10 the count they ran with?)',
  );
});

test('a damaged done.json is the set being run: no hint of the counts that finished here', async () => {
  await finishShard(4, 0, SPEC);
  await finishShard(2, 0, SPEC);
  await storage.write('shards/2/0/done.json', Buffer.from('{"version":1,'));
  expect(await incomplete(2)).toBe(`cannot merge ${dir}: shard 1 of 2 did not finish (no shards/2/1/done.json); unreadable: shard 0 (not JSON): run them again, then the merge`);
});

test.each<[string, Partial<ShardSpec>, string]>([
  ['inputs', { inputs: ['s3://other-logs/'] }, 'inputs'],
  ['last day', { to: '2024-06-30' }, '--from/--to'],
  ['config', { rollup_config: 'abd' }, 'config (tenant, categories, nonBillableAudiences)'],
])('a shard run with other %s is named with that setting', async (_setting, other, named) => {
  for (const index of [0, 1]) await finishShard(3, index, SPEC);
  await finishShard(3, 2, { ...SPEC, ...other });
  expect(await refusal(3)).toBe(`cannot merge ${dir}: shard 2 (${named}) ran with other settings than shards 0, 1: run it again with the same ones as the others`);
});

test('a shard of the same settings and another fingerprint (another version fingerprints otherwise) differs in its "settings"', async () => {
  for (const index of [0, 1, 2]) await finishShard(3, index, SPEC);
  const done = JSON.parse((await storage.read('shards/3/2/done.json'))!.toString('utf8'));
  await storage.write('shards/3/2/done.json', Buffer.from(JSON.stringify({ ...done, fingerprint: '0123456789abcdef' })));
  expect(await refusal(3)).toBe(`cannot merge ${dir}: shard 2 (settings) ran with other settings than shards 0, 1: run it again with the same ones as the others`);
});

test("the fingerprint is SHA-256 of the count and the settings in a fixed order: shards and a merge of another version agree on it", async () => {
  const done = await finishShard(2, 1, { ...SPEC, include: ['*.gz'], exclude: ['*.tmp'], timezone: 'Europe/Berlin', from: '2024-01-01', to: '2024-06-30' });
  // --max-item-bytes/--max-item-keys are not in it: partials of earlier versions do not state them.
  const text = '[2,["s3://logs/"],["*.gz"],["*.tmp"],"Europe/Berlin","2024-01-01","2024-06-30","abc"]';
  expect(done.fingerprint).toBe(createHash('sha256').update(text).digest('hex').slice(0, 16));
});

test('a shard whose object list is gone is unreadable, naming the list', async () => {
  await finishShard(1, 0, SPEC);
  await storage.remove('shards/1/0/objects.json.gz');
  expect(await incomplete(1)).toBe(`cannot merge ${dir}: unreadable: shard 0 (shards/1/0/objects.json.gz is missing): run it again, then the merge`);
});

test("the merge reads each record file's objects back as the shard listed them: no size or version where it had none, the days it was read for where they were some", async () => {
  const writer = await ShardPartialWriter.start(storage, 1, 0);
  await writer.writeRecordFile(Buffer.from('records'), [{ name: 's3://logs/a.gz' }, { name: 's3://logs/b.gz', size: 10, version: 'v1', readFor: '2024-01-01..2024-01-31' }]);
  await writer.writeRecordFile(Buffer.from('more'), [{ name: 's3://logs/c.gz', size: 0, version: '' }]);
  await writer.finish(SPEC, COUNTS, new Date('2024-03-01T00:00:00Z'));
  const [shard] = await readFinishedShards(storage, 1);
  expect(shard!.objects).toStrictEqual(
    new Map([
      ['shards/1/0/records-00000.ndjson.gz', [{ name: 's3://logs/a.gz' }, { name: 's3://logs/b.gz', size: 10, version: 'v1', readFor: '2024-01-01..2024-01-31' }]],
      ['shards/1/0/records-00001.ndjson.gz', [{ name: 's3://logs/c.gz', size: 0, version: '' }]],
    ]),
  );
  expect(shard!.done.sizes).toEqual({ 'shards/1/0/records-00000.ndjson.gz': 7, 'shards/1/0/records-00001.ndjson.gz': 4 });
});

test("a shard starting again removes its own earlier partial, not that of the shard whose index begins with its own", async () => {
  await finishShard(12, 1, SPEC);
  await finishShard(12, 10, SPEC);
  await ShardPartialWriter.start(storage, 12, 1);
  expect(await storage.list()).toEqual(['shards/12/10/done.json', 'shards/12/10/objects.json.gz', 'shards/12/10/records-00000.ndjson.gz']);
});

test("removing a merged set's partials leaves nothing of it, its marker and folder included, and another set's alone", async () => {
  for (const index of [0, 1]) await finishShard(2, index, SPEC);
  await finishShard(20, 0, SPEC);
  await removeShardPartials(storage, 2, new Date('2024-03-02T00:00:00Z'));
  expect(await storage.list()).toEqual(['shards/20/0/done.json', 'shards/20/0/objects.json.gz', 'shards/20/0/records-00000.ndjson.gz']);
  expect(existsSync(path.join(dir, 'shards', '2'))).toBe(false);
});

describe('mergedAlready: whether a merge of N shards committed, so that running it again removes what is left and counts nothing', () => {
  const lastRun = (run: Record<string, unknown>, committed = true) => storage.write('last-run.json', Buffer.from(JSON.stringify({ committed, run })));
  const mergeOf2 = { merged_shards: 2, finished_at: '2024-03-02T00:05:00.000Z' };

  test('its marker left by a removal cut short says so, with when it merged, or an unknown time when cut short itself', async () => {
    await finishShard(2, 1, SPEC);
    await storage.write('shards/2/merged.json', Buffer.from('{"merged_at":"2024-03-02T00:04:00.000Z"}\n'));
    expect(await mergedAlready(storage, 2)).toEqual({ at: '2024-03-02T00:04:00.000Z', leftovers: true });
    await storage.write('shards/2/merged.json', Buffer.from('{"merged'));
    expect(await mergedAlready(storage, 2)).toEqual({ at: 'an unknown time', leftovers: true });
  });

  test('without a marker: the last run, a committed merge of N, and nothing left of N (another set may be)', async () => {
    await finishShard(20, 0, SPEC);
    await lastRun(mergeOf2);
    expect(await mergedAlready(storage, 2)).toEqual({ at: '2024-03-02T00:05:00.000Z', leftovers: false });
  });

  test.each<[string, Record<string, unknown>, boolean]>([
    ['a merge that did not commit', mergeOf2, false],
    ['a merge of another count', { ...mergeOf2, merged_shards: 3 }, true],
  ])('not when the last run is %s', async (_case, run, committed) => {
    await lastRun(run, committed);
    expect(await mergedAlready(storage, 2)).toBeUndefined();
  });

  test('not when a shard of N ran since: a new backfill', async () => {
    await lastRun(mergeOf2);
    await finishShard(2, 0, SPEC);
    expect(await mergedAlready(storage, 2)).toBeUndefined();
  });
});
