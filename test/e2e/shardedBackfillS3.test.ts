import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, spawnCli } from '../support/cliRunner';
import { startCuttingProxy } from '../support/cuttingProxy';
import { fixtureClient, startS3Server, type S3TestServer } from '../support/s3Server';
import { comparableSummaries, filesUnder, runFigures, shardOfName, writeGeneratedArchives } from './shardedBackfillKit';

// The same backfill as 2 shards with the state on S3 (s3rver over loopback, real SigV4, the built CLI): the
// partials go through the S3 state storage, and the merge reads them back from there.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const STATE = 's3://usage-state/backfill/';

let server: S3TestServer;
let dir: string;
let archives: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startS3Server({ buckets: ['usage-state'] });
  env = { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: 'us-east-1' };
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-shards-s3-'));
  archives = path.join(dir, 'archives');
  writeGeneratedArchives(archives, 2, 8);
}, 60_000);
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const s3Flags = () => ['--s3-endpoint', server.endpoint, '--s3-force-path-style'];
const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => spawnCli(CLI, [...args, '--log-format', 'json', '--no-progress'], { cwd: dir, env: { ...env, ...extraEnv } });

async function stateKeys(): Promise<string[]> {
  const client = fixtureClient(server);
  const listed = await client.send(new ListObjectsV2Command({ Bucket: 'usage-state', Prefix: 'backfill/' }));
  client.destroy();
  return (listed.Contents ?? []).map((o) => o.Key!.slice('backfill/'.length)).sort();
}

test('2 shards with an S3 --state (index from JOB_COMPLETION_INDEX) merge into the single run\'s summaries', async () => {
  const single = await cli(['run', '--input', archives, '--output', path.join(dir, 'single.ndjson'), '--no-table']);
  expect(single.code).toBe(0);

  const shards = await Promise.all([0, 1].map((index) => cli(['run', '--input', archives, '--state', STATE, ...s3Flags(), '--shards', '2'], { JOB_COMPLETION_INDEX: String(index) })));
  expect(shards.map((result) => [result.code, result.stderr.match(/"level":"error".*/)?.[0]])).toEqual([[0, undefined], [0, undefined]]);
  const keys = await stateKeys();
  expect(keys.filter((key) => key.endsWith('done.json'))).toEqual(['shards/2/0/done.json', 'shards/2/1/done.json']);
  const names = filesUnder(archives);
  for (const index of [0, 1]) {
    const expected = names.filter((name) => shardOfName(name, 2) === index).length > 0;
    expect([index, keys.includes(`shards/2/${index}/records-00000.ndjson.gz`)]).toEqual([index, expected]);
  }

  const merged = await cli(['merge', '--state', STATE, ...s3Flags(), '--shards', '2', '--output', path.join(dir, 'merged.ndjson'), '--no-table']);
  expect([merged.code, merged.stderr.match(/"level":"(error|warn)".*/)?.[0]]).toEqual([0, undefined]);
  const singleEvents = readNdjson(readFileSync(path.join(dir, 'single.ndjson'), 'utf8'));
  const mergedEvents = readNdjson(readFileSync(path.join(dir, 'merged.ndjson'), 'utf8'));
  expect(comparableSummaries(mergedEvents)).toEqual(comparableSummaries(singleEvents));
  expect(runFigures(mergedEvents.at(-1).event)).toEqual(runFigures(singleEvents.at(-1).event));
  expect(mergedEvents.at(-1).event.merged_shards).toBe(2);
  // Committed, and the partials gone from the prefix.
  const after = await stateKeys();
  expect(after).toContain('manifest.json');
  expect(after.filter((key) => key.startsWith('shards/'))).toEqual([]);
  // No credential reaches any output.
  for (const text of [merged.stderr, shards[0]!.stderr, readFileSync(path.join(dir, 'merged.ndjson'), 'utf8')]) expect(text).not.toContain(server.secretAccessKey);
}, 120_000);


test("the merge's s3_retries counts the SDK's retries of the shards' S3 requests too, as its objects are the shards'", async () => {
  const state = 's3://usage-state/retried/';
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  try {
    // Each shard's first read of the state's manifest is throttled once; the SDK's second attempt gets through.
    proxy.sabotage({ match: (r) => r.method === 'GET' && r.url.startsWith('/usage-state/retried/manifest.json'), action: { kind: 'fail', status: 503, code: 'SlowDown' }, times: 1 });
    const first = await cli(['run', '--input', archives, '--state', state, '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--shards', '2', '--shard', '0/2']);
    proxy.sabotage({ match: (r) => r.method === 'GET' && r.url.startsWith('/usage-state/retried/manifest.json'), action: { kind: 'fail', status: 503, code: 'SlowDown' }, times: 1 });
    const second = await cli(['run', '--input', archives, '--state', state, '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--shards', '2', '--shard', '1/2']);
    expect([first.code, second.code, proxy.spoiled]).toEqual([0, 0, 2]);
    for (const shard of [first, second]) expect(readNdjson(shard.stderr).filter((line) => line.msg === 'S3 request retried by the AWS SDK')).toHaveLength(1);
  } finally {
    await proxy.stop();
  }
  // The merge itself is not throttled: what it counts is what the shards met.
  const output = path.join(dir, 'retried.ndjson');
  const merged = await cli(['merge', '--state', state, ...s3Flags(), '--shards', '2', '--output', output, '--no-table']);
  expect(merged.code).toBe(0);
  expect(readNdjson(merged.stderr).filter((line) => line.msg === 'S3 request retried by the AWS SDK')).toEqual([]);
  expect(readNdjson(readFileSync(output, 'utf8')).at(-1).event).toMatchObject({ summary: 'run', status: 'ok', merged_shards: 2, s3_retries: 2 });
}, 120_000);
