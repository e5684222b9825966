import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fixtureClient, startS3Server, type S3TestServer } from '../support/s3Server';
import { putObjects } from '../support/s3Fixtures';
import { closingLine, readNdjson, runCli, spawnCli } from '../support/cliRunner';
import { startCuttingProxy } from '../support/cuttingProxy';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';

// The CLI reading from s3rver over loopback with the real AWS SDK must summarize exactly as from local files.
const ROOT = path.resolve(__dirname, '../..');
const DIRS = ['fixtures/e2e/archives', 'fixtures/samples'];
let server: S3TestServer;
let env: NodeJS.ProcessEnv;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

beforeAll(async () => {
  server = await startS3Server({ buckets: ['auth0-archive'] });
  env = { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: 'us-east-1' };
  const client = fixtureClient(server);
  const objects = DIRS.flatMap((dir) => files(path.join(ROOT, dir)).map((file) => ({ key: `logs/${path.relative(ROOT, file)}`, body: readFileSync(file) })));
  await putObjects(client, 'auth0-archive', objects);
  client.destroy();
}, 60_000);
afterAll(() => server.stop());

const s3Flags = () => ['--s3-endpoint', server.endpoint, '--s3-force-path-style'];

async function summaries(args: string[]) {
  const result = await runCli(['run', ...args, '--output', '-', '--timezone', 'America/New_York', '--log-format', 'json', '--no-progress'], env);
  expect(result.code).toBe(0);
  return readNdjson(result.stdout);
}

/** What must not depend on where the bytes came from: every summary but the run's own bookkeeping. */
function comparable(events: any[]) {
  return events
    .filter((e) => e.event.summary !== 'run')
    .map((e) => {
      const { generated_at, run_id, ...rest } = e.event;
      return { ...e, event: rest };
    });
}

test('the same archives give identical summaries from S3 and from local files', async () => {
  const local = await summaries(DIRS.flatMap((dir) => ['--input', path.join(ROOT, dir)]));
  const s3 = await summaries(['--input', 's3://auth0-archive/logs/', ...s3Flags()]);
  expect(comparable(s3)).toEqual(comparable(local));
  const [localRun, s3Run] = [local.at(-1).event, s3.at(-1).event];
  for (const field of ['objects', 'bytes', 'records', 'duplicates', 'malformed', 'rejected', 'days', 'summaries'] as const) {
    expect([field, s3Run[field]]).toEqual([field, localRun[field]]);
  }
  // 3 hand-made archives + 8 generated sample files.
  expect(s3Run.objects).toBe(11);
});

test('S3 and local inputs mix in one run', async () => {
  const local = await summaries(DIRS.flatMap((dir) => ['--input', path.join(ROOT, dir)]));
  const mixed = await summaries(['--input', 's3://auth0-archive/logs/fixtures/e2e/', '--input', path.join(ROOT, 'fixtures/samples'), ...s3Flags()]);
  expect(comparable(mixed)).toEqual(comparable(local));
});

test('an object under two inputs whose prefixes nest is read once, under the first', async () => {
  const once = await summaries(['--input', 's3://auth0-archive/logs/', ...s3Flags()]);
  // The second prefix lies inside the first (its 8 sample files), the third repeats the first: 11 objects in all.
  const nested = await summaries(['--input', 's3://auth0-archive/logs/', '--input', 's3://auth0-archive/logs/fixtures/samples/', '--input', 's3://auth0-archive/logs/', ...s3Flags()]);
  expect(comparable(nested)).toEqual(comparable(once));
  const [onceRun, nestedRun] = [once.at(-1).event, nested.at(-1).event];
  for (const field of ['objects', 'bytes', 'records', 'duplicates'] as const) expect([field, nestedRun[field]]).toEqual([field, onceRun[field]]);
  expect(nestedRun.objects).toBe(11);
  // Listed from the inner prefix first, the sample files are read under it, and the rest under the outer one.
  const innerFirst = await summaries(['--input', 's3://auth0-archive/logs/fixtures/samples/', '--input', 's3://auth0-archive/logs/', ...s3Flags()]);
  expect(comparable(innerFirst)).toEqual(comparable(once));
  expect(innerFirst.at(-1).event.objects).toBe(11);
});

test('--from/--to skip date folders more than a day outside the range, never keys without a date', async () => {
  const range = ['--from', '2024-01-03', '--to', '2024-01-03'];
  const local = await summaries([...DIRS.flatMap((dir) => ['--input', path.join(ROOT, dir)]), ...range]);
  const s3 = await summaries(['--input', 's3://auth0-archive/logs/', ...s3Flags(), ...range]);
  expect(comparable(s3)).toEqual(comparable(local));
  // Skipped: the two firehose objects under 2024/01/01; read: 2024/01/02 (3), 2024/01/03 (3), the 3 undated archives.
  // The same in the local copy of the tree: its paths below each input folder are pruned the same way.
  expect([s3.at(-1).event.objects, local.at(-1).event.objects]).toEqual([9, 9]);
});

test('a wrong secret fails with exit 1, names the bucket and never prints the secret', async () => {
  const secret = 'definitely-not-the-right-secret';
  const result = await runCli(['run', '--input', 's3://auth0-archive/logs/', ...s3Flags(), '--log-format', 'json'], { ...env, AWS_SECRET_ACCESS_KEY: secret });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/s3:\/\/auth0-archive\/logs\//);
  expect(result.stderr).not.toContain(secret);
});

test('an object cut off mid-read and deleted before the re-read fails the run: it is not "gone before its turn"', async () => {
  const client = fixtureClient(server);
  const body = (day: string, n: number) =>
    Array.from({ length: 40 }, (_, i) => JSON.stringify({ log_id: `77${String(n * 100 + i).padStart(54, '0')}`, date: `${day}T10:00:${String(i).padStart(2, '0')}.000Z`, type: 's', tenant_name: 'acme', user_id: `auth0|u${i}` })).join('\n') + '\n';
  await putObjects(client, 'auth0-archive', [
    { key: 'cut/2024/04/01/a.ndjson', body: body('2024-04-01', 1) },
    { key: 'cut/2024/04/02/b.ndjson', body: body('2024-04-02', 2) },
  ]);
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  try {
    // b's first read is cut after 500 bytes; before the cut reaches the job, b is deleted, so the re-read finds it gone.
    proxy.sabotage({
      match: (r) => r.method === 'GET' && r.url.startsWith('/auth0-archive/cut/2024/04/02/b.ndjson'),
      action: { kind: 'cut', afterBytes: 500 },
      times: 1,
      beforeSpoiling: async () => {
        await client.send(new DeleteObjectCommand({ Bucket: 'auth0-archive', Key: 'cut/2024/04/02/b.ndjson' }));
      },
    });
    const result = await runCli(['run', '-i', 's3://auth0-archive/cut/', '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--concurrency', '1', '--output', '-', '--log-format', 'json', '--no-progress', '--no-table'], env);
    expect(result.code).toBe(1);
    expect(closingLine(result.stderr)).toMatchObject({ level: 'error', exit_code: 1, msg: 's3://auth0-archive/cut/2024/04/02/b.ndjson no longer exists (deleted after it was listed?)' });
    // The first read was cut (a reset, not a stall), then re-read.
    expect(result.stderr).toMatch(/"attempt":1,"err":"connection broke while reading s3:\/\/auth0-archive\/cut\/2024\/04\/02\/b\.ndjson/);
    expect(result.stderr).toContain('re-reading object from the start');
    expect(result.stderr).not.toContain('gone when its turn came');
  } finally {
    client.destroy();
    await proxy.stop();
  }
});

test('an object cut off mid-read and read again counts once in the progress totals, as in the run event', async () => {
  const client = fixtureClient(server);
  const body = (day: string, n: number) =>
    Array.from({ length: 40 }, (_, i) => JSON.stringify({ log_id: `78${String(n * 100 + i).padStart(54, '0')}`, date: `${day}T10:00:${String(i).padStart(2, '0')}.000Z`, type: 's', tenant_name: 'acme', user_id: `auth0|u${i}` })).join('\n') + '\n';
  const bodies = [body('2024-04-03', 1), body('2024-04-04', 2)];
  await putObjects(client, 'auth0-archive', [
    { key: 'reread/2024/04/03/a.ndjson', body: bodies[0]! },
    { key: 'reread/2024/04/04/b.ndjson', body: bodies[1]! },
  ]);
  client.destroy();
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  try {
    // b's first read is cut after 500 bytes (a few records decoded), then read again whole.
    proxy.sabotage({ match: (r) => r.method === 'GET' && r.url.startsWith('/auth0-archive/reread/2024/04/04/b.ndjson'), action: { kind: 'cut', afterBytes: 500 }, times: 1 });
    const result = await runCli(['run', '-i', 's3://auth0-archive/reread/', '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--concurrency', '1', '--output', '-', '--log-format', 'json', '--no-progress', '--no-table'], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('re-reading object from the start');
    const last = readNdjson(result.stderr).filter((line) => line.msg === 'progress').at(-1);
    const listed = Buffer.byteLength(bodies[0]!) + Buffer.byteLength(bodies[1]!);
    // 80 records in all; the cut attempt's bytes and records no longer count once b is read again.
    expect(last).toMatchObject({ done: true, objects_done: 2, bytes_listed: listed, bytes_read: listed, records_read: 80 });
    expect(readNdjson(result.stdout).at(-1).event).toMatchObject({ summary: 'run', status: 'ok', objects: 2, records: 80 });
  } finally {
    await proxy.stop();
  }
});

describe('a connection reset before any response to a GetObject', () => {
  // Two objects of one day: a.ndjson 3 logins (u1, u2, u1), b.ndjson 2 logins (u3) and 1 failed login.
  // Day 2024-04-05, by hand: logins 5, failed_logins 1, active_users 3 (u1, u2, u3), events 6.
  const record = (n: number, type: string, user: string) =>
    JSON.stringify({ log_id: `88${String(n).padStart(54, '0')}`, date: `2024-04-05T09:00:0${n}.000Z`, type, tenant_name: 'acme', user_id: `auth0|${user}` });
  const B = 's3://auth0-archive/reset/2024/04/05/b.ndjson';
  const isGetOfB = (r: { method: string; url: string }) => r.method === 'GET' && r.url.startsWith('/auth0-archive/reset/2024/04/05/b.ndjson');

  beforeAll(async () => {
    const client = fixtureClient(server);
    await putObjects(client, 'auth0-archive', [
      { key: 'reset/2024/04/05/a.ndjson', body: [record(1, 's', 'u1'), record(2, 's', 'u2'), record(3, 's', 'u1')].join('\n') + '\n' },
      { key: 'reset/2024/04/05/b.ndjson', body: [record(4, 's', 'u3'), record(5, 's', 'u3'), record(6, 'f', 'u3')].join('\n') + '\n' },
    ]);
    client.destroy();
  });

  /**
   * The built CLI in a process of its own, as an operator runs it: there the SDK's network errors are Node's own
   * (named TimeoutError for a reset, code ECONNRESET), where in Jest's realm the SDK wraps them in an Error of another name.
   */
  async function runThroughProxy(times?: number) {
    const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
    try {
      proxy.sabotage({ match: isGetOfB, action: { kind: 'reset' }, times });
      const args = ['run', '-i', 's3://auth0-archive/reset/', '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--concurrency', '1', '--output', '-', '--log-format', 'json', '--no-progress', '--no-table'];
      const result = await spawnCli(path.join(ROOT, 'dist', 'cli.js'), args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });
      return { ...result, spoiled: proxy.spoiled };
    } finally {
      await proxy.stop();
    }
  }

  test('is a lost connection, not a stall: the object is read again and counted once', async () => {
    // The SDK's own three attempts of the first read are all reset; the re-read gets through.
    const result = await runThroughProxy(3);
    expect(result.code).toBe(0);
    expect(result.spoiled).toBe(3);
    const warnings = readNdjson(result.stderr).filter((line) => line.level === 'warn');
    // The SDK's own attempts, said first (failed after 3, each reset), then the job's re-read.
    expect(warnings.map((line) => [line.msg, line.object ?? line.key, line.err ?? [line.attempts, line.reason, line.failed]])).toEqual([
      ['S3 request retried by the AWS SDK', 'reset/2024/04/05/b.ndjson', [3, 'ECONNRESET', true]],
      ['re-reading object from the start', B, `reading ${B} failed: ECONNRESET`],
    ]);
    expect(result.stderr).not.toContain('stall');
    const events = readNdjson(result.stdout);
    const daily = events.find((e) => e.event.summary === 'daily').event;
    expect(daily).toMatchObject({ day: '2024-04-05', logins: 5, failed_logins: 1, active_users: 3, events: 6 });
    // The 2 retries of the first GetObject; the re-read got through at once.
    expect(events.at(-1).event).toMatchObject({ summary: 'run', status: 'ok', objects: 2, records: 6, duplicates: 0, s3_retries: 2 });
  });

  test('every attempt reset fails the run with ERR_S3_REQUEST naming the object and the reset, not a stall timeout', async () => {
    const result = await runThroughProxy();
    expect(result.code).toBe(1);
    expect(closingLine(result.stderr)).toMatchObject({ level: 'error', exit_code: 1, code: 'ERR_S3_REQUEST', msg: `reading ${B} failed: ECONNRESET` });
    expect(result.stderr).not.toContain('stall');
    const run = readNdjson(result.stdout);
    expect(run).toHaveLength(1);
    expect(run[0].event).toMatchObject({ summary: 'run', status: 'failed', error_code: 'ERR_S3_REQUEST' });
  });
});

describe('a listing that S3 keeps answering with 500', () => {
  test('fails the run with ERR_S3_REQUEST, as a GetObject that keeps failing does, saying what failed once', async () => {
    const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
    const isListing = (r: { method: string; url: string }) => r.method === 'GET' && r.url.startsWith('/auth0-archive/?list-type=2');
    try {
      proxy.sabotage({ match: isListing, action: { kind: 'fail', status: 500, code: 'InternalError' } });
      const args = ['run', '-i', 's3://auth0-archive/reset/', '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--output', '-', '--log-format', 'json', '--no-progress', '--no-table'];
      const result = await spawnCli(path.join(ROOT, 'dist', 'cli.js'), args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });
      // S3 flaky, not a configuration error: the code and exit code of a GetObject that still fails after its retries.
      expect(result.code).toBe(1);
      expect(closingLine(result.stderr)).toMatchObject({
        level: 'error',
        exit_code: 1,
        code: 'ERR_S3_REQUEST',
        msg: 'listing s3://auth0-archive/reset/ failed 3 times: HTTP 500 InternalError',
      });
      // The first page asked for 3 times by the source, each time in the SDK's 3 attempts.
      expect(proxy.requests.filter(isListing)).toHaveLength(9);
      expect(proxy.spoiled).toBe(9);
      const run = readNdjson(result.stdout);
      expect(run).toHaveLength(1);
      expect(run[0].event).toMatchObject({ summary: 'run', status: 'failed', objects: 0, error_code: 'ERR_S3_REQUEST', error: 'listing s3://auth0-archive/reset/ failed 3 times: HTTP 500 InternalError' });
    } finally {
      await proxy.stop();
    }
  });
});

describe('GetObjects that S3 throttles once each (503 SlowDown), then answers', () => {
  // Two objects of one day: a.ndjson 2 logins (u1, u2), b.ndjson 1 login (u1) and 1 failed login.
  // Day 2024-04-06, by hand: logins 3, failed_logins 1, active_users 2, events 4.
  const record = (n: number, type: string, user: string) =>
    JSON.stringify({ log_id: `89${String(n).padStart(54, '0')}`, date: `2024-04-06T09:00:0${n}.000Z`, type, tenant_name: 'acme', user_id: `auth0|${user}` });
  const isObjectGet = (r: { method: string; url: string }) => r.method === 'GET' && r.url.startsWith('/auth0-archive/slow/');

  beforeAll(async () => {
    const client = fixtureClient(server);
    await putObjects(client, 'auth0-archive', [
      { key: 'slow/2024/04/06/a.ndjson', body: [record(1, 's', 'u1'), record(2, 's', 'u2')].join('\n') + '\n' },
      { key: 'slow/2024/04/06/b.ndjson', body: [record(3, 's', 'u1'), record(4, 'f', 'u1')].join('\n') + '\n' },
    ]);
    client.destroy();
  });

  const args = (endpoint: string) => ['run', '-i', 's3://auth0-archive/slow/', '--s3-endpoint', endpoint, '--s3-force-path-style', '--concurrency', '1', '--output', '-', '--timezone', 'UTC', '--log-format', 'json', '--no-progress', '--no-table'];

  test('each retried GetObject is a warn line, s3_retries counts the 2 retries, and the summaries are those of a clean run', async () => {
    const clean = await runCli(args(server.endpoint), env);
    expect(clean.code).toBe(0);
    expect(readNdjson(clean.stdout).at(-1).event).toMatchObject({ summary: 'run', status: 'ok', objects: 2, records: 4, s3_retries: 0 });
    expect(clean.stderr).not.toContain('retried by the AWS SDK');

    const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
    try {
      // The first GET of each object only: its retry gets through.
      const refused = new Set<string>();
      proxy.sabotage({ match: (r) => isObjectGet(r) && !refused.has(r.url) && refused.add(r.url) !== undefined, action: { kind: 'fail', status: 503, code: 'SlowDown' } });
      const result = await runCli(args(proxy.endpoint), env);
      expect(result.code).toBe(0);
      expect(proxy.spoiled).toBe(2);
      const events = readNdjson(result.stdout);
      expect(comparable(events)).toEqual(comparable(readNdjson(clean.stdout)));
      expect(events.find((e) => e.event.summary === 'daily').event).toMatchObject({ day: '2024-04-06', logins: 3, failed_logins: 1, active_users: 2, events: 4 });
      expect(events.at(-1).event).toMatchObject({ summary: 'run', status: 'ok', objects: 2, records: 4, s3_retries: 2 });
      const warnings = readNdjson(result.stderr).filter((line) => line.level === 'warn');
      expect(warnings.map(({ msg, operation, bucket, key, attempts, reason, failed }) => ({ msg, operation, bucket, key, attempts, reason, failed }))).toEqual(
        ['a', 'b'].map((name) => ({ msg: 'S3 request retried by the AWS SDK', operation: 'GetObject', bucket: 'auth0-archive', key: `slow/2024/04/06/${name}.ndjson`, attempts: 2, reason: 'HTTP 503 SlowDown', failed: undefined })),
      );
      // The SDK's wait after throttling is drawn below 1 s.
      for (const line of warnings) expect(line.retry_delay_ms).toBeLessThan(1000);
      // The SDK got through by itself: the job did not read anything again.
      expect(result.stderr).not.toContain('re-reading object from the start');
      expect(result.stderr).not.toContain(server.secretAccessKey);
      expect(result.stderr).not.toMatch(/Signature|Authorization|Credential=/i);
    } finally {
      await proxy.stop();
    }
  });

  test('a run over local files only has no s3_retries', async () => {
    const result = await runCli(['run', '-i', path.join(ROOT, 'fixtures/e2e/archives'), '--output', '-', '--log-format', 'json', '--no-progress', '--no-table'], env);
    expect(result.code).toBe(0);
    expect(readNdjson(result.stdout).at(-1).event.s3_retries).toBeUndefined();
  });
});
