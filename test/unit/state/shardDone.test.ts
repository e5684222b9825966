import { parseShardDone } from '../../../src/state/shardPartial';

// A finished shard 0 of 2's done.json, written out by hand.
const DONE = {
  version: 1,
  shards: 2,
  shard: 0,
  fingerprint: 'f00d',
  spec: { inputs: ['s3://logs/'], include: [], exclude: [], timezone: 'UTC', from: null, to: null, rollup_config: 'abc' },
  files: ['shards/2/0/records-00000.ndjson.gz'],
  digests: { 'shards/2/0/records-00000.ndjson.gz': 'ab'.repeat(32) },
  sizes: { 'shards/2/0/records-00000.ndjson.gz': 20 },
  counts: { objects: 1, bytes: 10, records: 1, malformed: 0, rejected: 0, quarantine_truncated: 0, skipped: 0 },
  finished_at: '2024-03-01T00:00:00.000Z',
};
const reading = (value: unknown, shards = 2, index = 0) => parseShardDone(Buffer.from(JSON.stringify(value)), shards, index);

test('a whole done.json of the shard whose folder it is in is taken as it stands', () => {
  expect(reading(DONE)).toEqual({ done: DONE });
});

test('one of an earlier version, without digests and sizes, is taken too', () => {
  const { digests: _digests, sizes: _sizes, ...older } = DONE;
  expect(reading(older)).toEqual({ done: older });
});

test.each<[string, unknown, number, number, string]>([
  ['of a later format version', { ...DONE, version: 2 }, 2, 0, 'version: Invalid input: expected 1'],
  ['of a set of 0 shards', { ...DONE, shards: 0 }, 0, 0, 'shards: Too small: expected number to be >0'],
  ['with a negative count', { ...DONE, counts: { ...DONE.counts, records: -1 } }, 2, 0, 'counts.records: Too small: expected number to be >=0'],
  ['with a key it does not know', { ...DONE, extra: true }, 2, 0, 'top level: Unrecognized key: "extra"'],
  ['with two faults: the first is named', { ...DONE, version: 2, extra: true }, 2, 0, 'version: Invalid input: expected 1'],
  ['of another shard of the set', DONE, 2, 1, 'it says shard 0/2'],
  ['of the same index in a set of another count', DONE, 3, 0, 'it says shard 0/2'],
])('a done.json %s is damaged, saying why in one line', (_case, value, shards, index, why) => {
  expect(reading(value, shards, index)).toEqual({ damaged: why });
});

test('text that is not JSON (a done.json cut short) is damaged', () => {
  expect(parseShardDone(Buffer.from('{"version":1,'), 2, 0)).toEqual({ damaged: 'not JSON' });
});
