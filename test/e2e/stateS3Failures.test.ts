import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { fixtureClient, startS3Server, type S3TestServer } from '../support/s3Server';
import { putObjects } from '../support/s3Fixtures';
import { startCuttingProxy, type Sabotage } from '../support/cuttingProxy';
import { closingLine, readNdjson, spawnCli } from '../support/cliRunner';
import { testTempDir } from '../support/testTempDir';
import { closedLoopbackPort } from '../support/closedPort';

// A state on S3 that fails under the built CLI (a process of its own, where the SDK's network errors are Node's own),
// through a proxy in front of s3rver that spoils the state's requests only.
const ROOT = path.resolve(__dirname, '../..');
let server: S3TestServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startS3Server({ buckets: ['auth0-archive', 'usage-state'] });
  env = { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: 'us-east-1' };
  const client = fixtureClient(server);
  const login = { log_id: `90${'0'.repeat(54)}`, date: '2024-06-01T10:00:00.000Z', type: 's', tenant_name: 'acme', user_id: 'auth0|u1' };
  await putObjects(client, 'auth0-archive', [{ key: 'nightly/2024/06/01/a.ndjson', body: `${JSON.stringify(login)}\n` }]);
  client.destroy();
}, 60_000);
afterAll(() => server.stop());

async function stateKeys(prefix: string): Promise<string[]> {
  const client = fixtureClient(server);
  const listed = await client.send(new ListObjectsV2Command({ Bucket: 'usage-state', Prefix: prefix }));
  client.destroy();
  return (listed.Contents ?? []).map((o) => o.Key!);
}

/**
 * A nightly run whose --output and --quarantine hold last night's files, with the state's requests that `match`
 * spoiled every time; `extra`: more arguments.
 */
async function nightlyRun(statePrefix: string, match: (r: { method: string; url: string }) => boolean, action: Sabotage, extra: string[] = []) {
  const dir = testTempDir('state-s3-failures-');
  const output = path.join(dir, 'summaries.ndjson');
  const quarantine = path.join(dir, 'quarantine.ndjson');
  writeFileSync(output, '{"event":{"summary":"run","status":"ok","note":"last night"}}\n');
  writeFileSync(quarantine, '{"source":"s3://auth0-archive/nightly/last-night.ndjson","line":1,"reason":"not_json","raw":"{"}\n');
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  try {
    proxy.sabotage({ match, action });
    const args = ['run', '-i', 's3://auth0-archive/nightly/', '--state', `s3://usage-state/${statePrefix}/`, '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--output', output, '--quarantine', quarantine, '--log-format', 'json', '--no-progress', '--no-table', ...extra];
    const result = await spawnCli(path.join(ROOT, 'dist', 'cli.js'), args, { cwd: ROOT, env });
    return { ...result, spoiled: proxy.spoiled, output: readFileSync(output, 'utf8'), quarantine: readFileSync(quarantine, 'utf8') };
  } finally {
    await proxy.stop();
  }
}

describe('the lock cannot be written (PutObject of lock.json answers 500)', () => {
  test("fails with ERR_STATE_IO, replaces last night's --output with the failed run event and empties its --quarantine", async () => {
    const isLockPut = (r: { method: string; url: string }) => r.method === 'PUT' && r.url.startsWith('/usage-state/lockput/lock.json');
    const result = await nightlyRun('lockput', isLockPut, { kind: 'fail', status: 500, code: 'InternalError' });
    const msg = 'writing s3://usage-state/lockput/lock.json failed: HTTP 500 InternalError';
    expect(result.code).toBe(1);
    expect(closingLine(result.stderr)).toMatchObject({ level: 'error', exit_code: 1, code: 'ERR_STATE_IO', msg });
    // The SDK's three attempts of the one PUT.
    expect(result.spoiled).toBe(3);
    const events = readNdjson(result.output);
    expect(events).toHaveLength(1);
    // The SDK's 2 retries of that PUT are counted, and said with the lock's key.
    expect(events[0].event).toMatchObject({ summary: 'run', status: 'failed', error: msg, error_code: 'ERR_STATE_IO', objects: 0, records: 0, days: 0, summaries: 0, s3_retries: 2 });
    expect(events[0].event.note).toBeUndefined();
    const retried = readNdjson(result.stderr).filter((line) => line.msg === 'S3 request retried by the AWS SDK');
    expect(retried.map(({ operation, bucket, key, attempts, reason, failed }) => ({ operation, bucket, key, attempts, reason, failed }))).toEqual([
      { operation: 'PutObject', bucket: 'usage-state', key: 'lockput/lock.json', attempts: 3, reason: 'HTTP 500 InternalError', failed: true },
    ]);
    // Nothing was read, so nothing set aside: as after a read that failed before its first object.
    expect(result.quarantine).toBe('');
    // Nothing was read and nothing written to the state.
    expect(await stateKeys('lockput/')).toEqual([]);
    expect(result.stderr).not.toContain(server.secretAccessKey);
  });
});

describe('the state store resets every connection', () => {
  test('says which state file and ECONNRESET, as the input side does, not the SDK\'s "TimeoutError: read ECONNRESET"', async () => {
    const isState = (r: { method: string; url: string }) => r.url.startsWith('/usage-state/');
    const result = await nightlyRun('resets', isState, { kind: 'reset' });
    // The first thing a run asks of its state is its manifest.
    const msg = 'reading s3://usage-state/resets/manifest.json failed: ECONNRESET';
    expect(result.code).toBe(1);
    expect(closingLine(result.stderr)).toMatchObject({ level: 'error', exit_code: 1, code: 'ERR_STATE_IO', msg });
    expect(result.spoiled).toBe(3);
    expect(result.stderr).not.toContain('TimeoutError');
    expect(readNdjson(result.output).map((e) => [e.event.status, e.event.error_code, e.event.error])).toEqual([['failed', 'ERR_STATE_IO', msg]]);
    expect(result.quarantine).toBe('');
  });
});

describe('a state file\'s body stops part-way, the connection kept open', () => {
  test('is read again from the start 3 times, each said in a warning, then fails with ERR_STATE_IO naming the file, instead of waiting for good', async () => {
    const client = fixtureClient(server);
    // Larger than the proxy's first chunk from s3rver: a body that came whole to it would end, not stall.
    await putObjects(client, 'usage-state', [{ key: 'stalls/manifest.json', body: Buffer.alloc(2 << 20, ' ') }]);
    client.destroy();
    const isManifestGet = (r: { method: string; url: string }) => r.method === 'GET' && r.url.startsWith('/usage-state/stalls/manifest.json');
    const result = await nightlyRun('stalls', isManifestGet, { kind: 'stall', afterBytes: 1 << 20 }, ['--s3-stall-seconds', '1']);
    const msg = 'reading s3://usage-state/stalls/manifest.json failed: no data from its body within the stall timeout (1 s)';
    expect(result.code).toBe(1);
    expect(closingLine(result.stderr)).toMatchObject({ level: 'error', exit_code: 1, code: 'ERR_STATE_IO', msg });
    // Four GETs: the SDK's retries end with the headers; the state reads a stalled body again, 3 times.
    expect(result.spoiled).toBe(4);
    const warned = readNdjson(result.stderr).filter((line) => line.msg === 're-reading state file from the start');
    expect(warned.map(({ level, object, attempt, err }) => ({ level, object, attempt, err }))).toEqual(
      [1, 2, 3].map((attempt) => ({ level: 'warn', object: 's3://usage-state/stalls/manifest.json', attempt, err: msg })),
    );
    expect(result.stderr).not.toContain(server.secretAccessKey);
    expect(readNdjson(result.output).map((e) => [e.event.status, e.event.error_code, e.event.error])).toEqual([['failed', 'ERR_STATE_IO', msg]]);
  }, 30_000);
});

describe('no AWS credentials anywhere (a CronJob whose Secret or IAM role is missing)', () => {
  // Nothing leaves the machine: the endpoint is a closed loopback port, the instance metadata is off and HOME is empty,
  // so the SDK's chain finds no credentials before any request.
  async function withoutCredentials(args: string[]) {
    const dir = testTempDir('state-s3-no-credentials-');
    const bare = { PATH: process.env.PATH, HOME: dir, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
    const endpoint = `http://127.0.0.1:${await closedLoopbackPort()}`;
    return spawnCli(path.join(ROOT, 'dist', 'cli.js'), [...args, '--s3-endpoint', endpoint, '--s3-force-path-style'], { cwd: dir, env: bare });
  }
  const said = 'no AWS credentials found for s3://usage-state/nocreds/manifest.json: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role';

  test('run with a --state on S3 says what to set, as it does of an S3 input, not the SDK\'s "CredentialsProviderError"', async () => {
    const fixtures = path.join(ROOT, 'fixtures', 'samples');
    const result = await withoutCredentials(['run', '-i', fixtures, '--state', 's3://usage-state/nocreds/', '-o', 'out.ndjson', '--log-format', 'json', '--no-progress', '--no-table']);
    expect(result.code).toBe(1);
    expect(closingLine(result.stderr)).toMatchObject({ level: 'error', exit_code: 1, code: 'ERR_STATE_IO', msg: said });
  });

  test('status --state on S3 says the same, on one line', async () => {
    const result = await withoutCredentials(['status', '--state', 's3://usage-state/nocreds/']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`auth0-usage: ${said}\n`);
  });
});
