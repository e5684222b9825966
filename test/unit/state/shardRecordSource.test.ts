import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { LocalStateStorage } from '../../../src/state/localStateStorage';
import type { FinishedShard, ShardDone } from '../../../src/state/shardPartial';
import { ShardRecordSource } from '../../../src/state/shardRecordSource';
import { StateIoError } from '../../../src/state/stateErrors';
import { rejectionOf } from '../../support/rejectionOf';
import { testTempDir } from '../../support/testTempDir';

const FILES = ['shards/2/1/records-00000.ndjson.gz', 'shards/2/1/records-00001.ndjson.gz'];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Shard 1 of 2, finished with two record files ('first', 'second'), written out by hand. */
function shard(extra: Partial<ShardDone> = {}): FinishedShard {
  const done: ShardDone = {
    version: 1,
    shards: 2,
    shard: 1,
    fingerprint: 'f00d',
    spec: { inputs: ['s3://logs/'], include: [], exclude: [], timezone: 'UTC', from: null, to: null, rollup_config: 'abc' },
    files: FILES,
    digests: { [FILES[0]!]: sha256('first'), [FILES[1]!]: sha256('second') },
    sizes: { [FILES[0]!]: 5, [FILES[1]!]: 6 },
    counts: { objects: 2, bytes: 30, records: 2, malformed: 0, rejected: 0, quarantine_truncated: 0, skipped: 0 },
    finished_at: '2024-03-01T00:00:00.000Z',
    ...extra,
  };
  return { done, objects: new Map([[FILES[0]!, [{ name: 's3://logs/a.gz', size: 10, version: 'v1' }]]]) };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

async function listed(source: ShardRecordSource) {
  const objects = [];
  for await (const object of source.list()) objects.push(object);
  return objects;
}

let dir: string;
let storage: LocalStateStorage;
beforeEach(async () => {
  dir = testTempDir('auth0-usage-shard-source-');
  // Named with a trailing slash, as a --state may be given.
  storage = new LocalStateStorage(`${dir}/`);
  await storage.write(FILES[0]!, Buffer.from('first'));
  await storage.write(FILES[1]!, Buffer.from('second'));
});
afterEach(() => storage.close());

test("a shard's record files in order, each named under the state, with its size and the objects it stands for", async () => {
  const objects = await listed(new ShardRecordSource(storage, `${dir}/`, shard()));
  expect(objects.map(({ name, size, standsFor }) => ({ name, size, standsFor }))).toEqual([
    { name: `${dir}/shards/2/1/records-00000.ndjson.gz`, size: 5, standsFor: [{ name: 's3://logs/a.gz', size: 10, version: 'v1' }] },
    { name: `${dir}/shards/2/1/records-00001.ndjson.gz`, size: 6, standsFor: [] },
  ]);
  expect(await Promise.all(objects.map(async (object) => text(await object.open())))).toEqual(['first', 'second']);
});

test('a record file changed since its shard wrote it fails the merge, naming the file and the shard', async () => {
  await storage.write(FILES[1]!, Buffer.from('secone'));
  const [, second] = await listed(new ShardRecordSource(storage, `${dir}/`, shard()));
  const error = await rejectionOf(second!.open());
  expect(error).toBeInstanceOf(StateIoError);
  expect(error.message).toBe(`the shard's record file ${FILES[1]} in ${dir}/ is not as shard 1 wrote it (its SHA-256 differs): run shard 1 again, then the merge`);
});

test('a record file gone since its shard wrote it fails the merge, naming the file and the shard', async () => {
  await storage.remove(FILES[0]!);
  const [first] = await listed(new ShardRecordSource(storage, `${dir}/`, shard()));
  const error = await rejectionOf(first!.open());
  expect(error).toBeInstanceOf(StateIoError);
  expect(error.message).toBe(`the shard's record file ${FILES[0]} is missing from ${dir}/: run shard 1 again, then the merge`);
});

test('a shard of an earlier version, which states no digests or sizes, is read as it stands', async () => {
  const { digests: _digests, sizes: _sizes, ...older } = shard().done;
  const objects = await listed(new ShardRecordSource(storage, `${dir}/`, { ...shard(), done: older }));
  expect(objects.map(({ size }) => size)).toEqual([undefined, undefined]);
  expect(await Promise.all(objects.map(async (object) => text(await object.open())))).toEqual(['first', 'second']);
});
