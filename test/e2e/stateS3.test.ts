import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { fixtureClient, startS3Server, type S3TestServer } from '../support/s3Server';
import { putObjects } from '../support/s3Fixtures';
import { readNdjson, runCli } from '../support/cliRunner';
import { RunState } from '../../src/state/runState';
import { API, configWith, labels, login, recordJson, silentLogger, token, type Rec } from '../unit/state/stateTestKit';

// The state under an S3 prefix (s3rver over loopback, real SigV4), with the same S3 flags as the inputs.
// s3rver ignores If-None-Match on PUT, so the lock's conditional create is not exercised here: the look
// before it and the read-back after it are (stateLock.test.ts covers the local lock fully).
let server: S3TestServer;
let env: NodeJS.ProcessEnv;
const STATE = 's3://usage-state/auth0/';

beforeAll(async () => {
  server = await startS3Server({ buckets: ['auth0-archive', 'usage-state'] });
  env = { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: 'us-east-1' };
}, 60_000);
afterAll(() => server.stop());

const s3Flags = () => ['--s3-endpoint', server.endpoint, '--s3-force-path-style'];

async function putArchive(key: string, records: Rec[]) {
  const client = fixtureClient(server);
  await putObjects(client, 'auth0-archive', [{ key, body: records.map((r) => JSON.stringify(recordJson(r))).join('\n') + '\n' }]);
  client.destroy();
}

async function stateKeys(): Promise<string[]> {
  const client = fixtureClient(server);
  const listed = await client.send(new ListObjectsV2Command({ Bucket: 'usage-state', Prefix: 'auth0/' }));
  client.destroy();
  return (listed.Contents ?? []).map((o) => o.Key!.slice('auth0/'.length)).sort();
}

async function run() {
  const result = await runCli(['run', '--input', 's3://auth0-archive/logs/', '--state', STATE, ...s3Flags(), '--output', '-', '--log-format', 'json', '--no-progress'], env);
  expect([result.code, result.stderr.match(/"level":"error".*/)?.[0]]).toEqual([0, undefined]);
  return readNdjson(result.stdout);
}

test('two runs through a state on S3: the second reads only the new object and drops a cross-run duplicate', async () => {
  const L1 = login(1, '2024-03-01T10:00:00Z', 'u1');
  const L2 = token(2, '2024-03-01T11:00:00Z', 'c1', API);
  await putArchive('logs/2024/03/01/a1.ndjson', [L1, L2]);
  const first = await run();
  expect(first.at(-1).event).toMatchObject({ objects: 1, records: 2, duplicates: 0, days: 1 });
  const keys = await stateKeys();
  expect(keys.filter((k) => !k.startsWith('days/') && !k.startsWith('objects/'))).toEqual(['last-run.json', 'manifest.json']);
  expect(keys.filter((k) => k.startsWith('days/acme/2024-03-01.')).map((k) => k.replace(/\.1-[0-9a-f]{8}\./, '.<tag>.'))).toEqual([
    'days/acme/2024-03-01.<tag>.agg.json',
    'days/acme/2024-03-01.<tag>.ids',
  ]);

  await putArchive('logs/2024/03/02/a2.ndjson', [L2, login(3, '2024-03-02T09:00:00Z', 'u2')]);
  const second = await run();
  expect(second.at(-1).event).toMatchObject({ objects: 1, records: 2, duplicates: 1, days: 1 });
  expect(labels(second)).toEqual([
    'daily acme 2024-03-02',
    'event_type acme 2024-03-02 s',
    'coverage acme 2024-03-02',
    'active_users acme 2024-03-02',
    'quota acme 2024-03-02 m2m_tokens_billable',
    'quota acme 2024-03-02 active_users',
  ]);
  const third = await run();
  expect(third.map((e) => e.event.summary)).toEqual(['run']);
  // Superseded files are swept: one generation of day files per day, one object list.
  expect((await stateKeys()).filter((k) => k.startsWith('objects/'))).toHaveLength(1);

  const status = await runCli(['status', '--state', STATE, ...s3Flags(), '--spool', '/nonexistent/spool'], env);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(`state      ${STATE} (format 1, days in UTC)`);
  expect(status.stdout).toMatch(/^objects {4}2 read/m);
  expect(status.stdout).toMatch(/^acme +2 +2024-03-01 +2024-03-02 +3 +2024-03-01$/m);
});

test('a run is refused while another holds the state lock on S3', async () => {
  const holder = await RunState.open({
    location: 's3://usage-state/locked/',
    s3: { endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } },
    timezone: 'UTC',
    config: configWith(),
    logger: silentLogger,
  });
  const refused = await runCli(['run', '--input', 's3://auth0-archive/logs/', '--state', 's3://usage-state/locked/', '--output', '/dev/null', ...s3Flags(), '--log-format', 'json'], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/the state s3:\/\/usage-state\/locked\/ is in use by another run \(host /);
  await holder.release();
  const after = await runCli(['run', '--input', 's3://auth0-archive/logs/', '--state', 's3://usage-state/locked/', '--output', '/dev/null', ...s3Flags(), '--no-table', '--log-format', 'json'], env);
  expect(after.code).toBe(0);
});
