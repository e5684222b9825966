import { createHash } from 'node:crypto';
import path from 'node:path';
import { shardOfObject } from '../../../src/run/shardAssignment';
import { relativeObjectName } from '../../../src/sources/relativeObjectName';

// Which shard reads an object: worked out here from the SHA-256 hex digest (first 12 hex digits as a BigInt, mod N).
const expected = (relative: string, shards: number) => Number(BigInt(`0x${createHash('sha256').update(relative).digest('hex').slice(0, 12)}`) % BigInt(shards));

test('names are taken relative to their input: S3 keys after the prefix, paths inside the folder, a file by its name', () => {
  expect(relativeObjectName('s3://logs/firehose/2024/01/02/a.gz', 's3://logs/firehose/')).toBe('2024/01/02/a.gz');
  expect(relativeObjectName('s3://logs/firehose/2024/01/02/a.gz', 's3://logs/firehose')).toBe('2024/01/02/a.gz');
  expect(relativeObjectName('/mnt/a/logs/2024/x.ndjson', '/mnt/a/logs')).toBe('2024/x.ndjson');
  expect(relativeObjectName(path.join('logs', '2024', 'x.ndjson'), 'logs/')).toBe('2024/x.ndjson');
  expect(relativeObjectName('/mnt/a/logs/one.ndjson', '/mnt/a/logs/one.ndjson')).toBe('one.ndjson');
});

test('the shard depends on the relative name only: the same on another mount, for S3 and local alike', () => {
  const names = Array.from({ length: 40 }, (_, i) => `2024/03/${String(i).padStart(2, '0')}/auth0-logs-${i}.gz`);
  for (const name of names) {
    const shard = shardOfObject(`s3://logs/firehose/${name}`, 's3://logs/firehose/', 7);
    expect([name, shard]).toEqual([name, expected(name, 7)]);
    expect(shardOfObject(`/mnt/one/${name}`, '/mnt/one', 7)).toBe(shard);
    expect(shardOfObject(`/data/elsewhere/${name}`, '/data/elsewhere/', 7)).toBe(shard);
  }
  // 40 names over 7 shards: every shard gets some.
  expect(new Set(names.map((name) => expected(name, 7))).size).toBe(7);
});
