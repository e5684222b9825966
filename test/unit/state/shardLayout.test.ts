import { isShardName, shardOfDoneName, shardOfPartialName, shardsOfMergedName } from '../../../src/state/shardLayout';

// The names status and the merge sort a state's files by: each takes its own names, and no other.
test.each<[string, { shards: number; index: number } | undefined, { shards: number; index: number } | undefined, number | undefined, boolean]>([
  // name, shardOfDoneName, shardOfPartialName, shardsOfMergedName, isShardName
  ['shards/12/10/done.json', { shards: 12, index: 10 }, { shards: 12, index: 10 }, undefined, true],
  ['shards/12/10/records-00000.ndjson.gz', undefined, { shards: 12, index: 10 }, undefined, true],
  ['shards/12/10/.done.json.77.0a1b2c3d.tmp', undefined, { shards: 12, index: 10 }, undefined, true],
  ['shards/12/10/done.json.old', undefined, { shards: 12, index: 10 }, undefined, true],
  ['shards/12/merged.json', undefined, undefined, 12, true],
  ['shards/12/merged.json.old', undefined, undefined, undefined, true],
  ['shards/12/10', undefined, undefined, undefined, true],
  ['old/shards/12/10/done.json', undefined, undefined, undefined, false],
  ['old/shards/12/merged.json', undefined, undefined, undefined, false],
  ['shards-notes.json', undefined, undefined, undefined, false],
])('%s', (name, done, partial, merged, isShard) => {
  expect([shardOfDoneName(name), shardOfPartialName(name), shardsOfMergedName(name), isShardName(name)]).toEqual([done, partial, merged, isShard]);
});
