import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { fixtureClient, startS3Server, type S3TestServer } from '../support/s3Server';
import { putObjects } from '../support/s3Fixtures';
import { startCuttingProxy } from '../support/cuttingProxy';
import { closingLine, readNdjson, runCli } from '../support/cliRunner';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testTempDir } from '../support/testTempDir';
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
  // Last night's --output and --quarantine stay: the run holding the state may be writing those very files.
  const dir = testTempDir('state-s3-locked-');
  const output = path.join(dir, 'summaries.ndjson');
  const quarantine = path.join(dir, 'quarantine.ndjson');
  writeFileSync(output, '{"event":{"summary":"run","status":"ok","note":"last night"}}\n');
  writeFileSync(quarantine, '{"source":"last-night.ndjson","line":1,"reason":"not_json","raw":"{"}\n');
  const refused = await runCli(['run', '--input', 's3://auth0-archive/logs/', '--state', 's3://usage-state/locked/', '--output', output, '--quarantine', quarantine, ...s3Flags(), '--log-format', 'json'], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/the state s3:\/\/usage-state\/locked\/ is in use by another run \(host /);
  expect(closingLine(refused.stderr)).toMatchObject({ code: 'ERR_STATE_LOCKED', exit_code: 1 });
  expect(readFileSync(output, 'utf8')).toBe('{"event":{"summary":"run","status":"ok","note":"last night"}}\n');
  expect(readFileSync(quarantine, 'utf8')).toBe('{"source":"last-night.ndjson","line":1,"reason":"not_json","raw":"{"}\n');
  await holder.release();
  const after = await runCli(['run', '--input', 's3://auth0-archive/logs/', '--state', 's3://usage-state/locked/', '--output', '/dev/null', ...s3Flags(), '--no-table', '--log-format', 'json'], env);
  expect(after.code).toBe(0);
});

test('a run in parts lists its input once: one LIST per 1,000 keys, and the keys --exclude leaves out counted once', async () => {
  // Nine days of one login each, and two keys the default exclusions leave out (a dot-folder and a *.md).
  const days = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const client = fixtureClient(server);
  await putObjects(client, 'auth0-archive', [
    ...days.map((d) => ({ key: `parts/2024/04/0${d}/a.ndjson`, body: `${JSON.stringify(recordJson(login(100 + d, `2024-04-0${d}T10:00:00Z`, `u${d}`)))}\n` })),
    { key: 'parts/README.md', body: 'notes' },
    { key: 'parts/.tmp/partial.ndjson', body: '{' },
  ]);
  client.destroy();
  // Every request to S3 through a proxy that notes them: the listing of the input is told apart from the state's.
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const inputListings = () => proxy.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/auth0-archive/?list-type=2')).length;
  const logLines = (stderr: string) => stderr.trimEnd().split('\n').map((line) => JSON.parse(line));
  const run = () =>
    runCli(
      ['run', '--input', 's3://auth0-archive/parts/', '--state', 's3://usage-state/parts/', '--checkpoint-objects', '2', '--s3-endpoint', proxy.endpoint, '--s3-force-path-style', '--output', '-', '--log-format', 'json', '--no-progress', '--no-table'],
      env,
    );
  try {
    const first = await run();
    expect(first.code).toBe(0);
    const lines = logLines(first.stderr);
    // Nine objects two at a time: five parts, four of them ending at a checkpoint.
    expect(lines.filter((line) => line.msg === 'checkpoint committed; reading on').map((line) => line.objects)).toEqual([2, 4, 6, 8]);
    expect(inputListings()).toBe(1);
    expect(lines.filter((line) => 'left_out' in line).map((line) => line.left_out)).toEqual([2]);
    expect(readNdjson(first.stdout).at(-1).event).toMatchObject({ summary: 'run', status: 'ok', objects: 9, records: 9 });

    // Two more days: the rerun lists once, passes over the nine it committed, and reads the two in one more part.
    const more = fixtureClient(server);
    await putObjects(more, 'auth0-archive', [10, 11].map((d) => ({ key: `parts/2024/04/${d}/a.ndjson`, body: `${JSON.stringify(recordJson(login(100 + d, `2024-04-${d}T10:00:00Z`, `u${d}`)))}\n` })));
    more.destroy();
    const second = await run();
    expect(second.code).toBe(0);
    expect(inputListings()).toBe(2);
    const secondLines = logLines(second.stderr);
    expect(secondLines.filter((line) => line.msg === 'objects read by an earlier run skipped').map((line) => line.skipped)).toEqual([9]);
    expect(secondLines.filter((line) => 'left_out' in line).map((line) => line.left_out)).toEqual([2]);
    expect(readNdjson(second.stdout).at(-1).event).toMatchObject({ summary: 'run', status: 'ok', objects: 2, records: 2 });
  } finally {
    await proxy.stop();
  }
});

test('log_ids on S3 are fetched for the part after a checkpoint and for --from\'s own day: a redelivered record is a duplicate in both', async () => {
  // A local state's files are read in place; an S3 state's log_ids must be copied down before a part consults them.
  const L1 = login(301, '2024-05-01T10:00:00Z', 'u1');
  const client = fixtureClient(server);
  await putObjects(client, 'auth0-archive', [
    { key: 'fetched/2024/05/01/a1.ndjson', body: `${JSON.stringify(recordJson(L1))}\n` },
    { key: 'fetched/2024/05/01/a2.ndjson', body: [L1, login(302, '2024-05-01T11:00:00Z', 'u2')].map((r) => JSON.stringify(recordJson(r))).join('\n') + '\n' },
  ]);
  const runFetched = async (args: string[]) => {
    const result = await runCli(['run', '--input', 's3://auth0-archive/fetched/', '--state', 's3://usage-state/fetched/', ...s3Flags(), ...args, '--output', '-', '--log-format', 'json', '--no-progress', '--no-table'], env);
    expect([result.code, result.stderr.match(/"level":"error".*/)?.[0]]).toEqual([0, undefined]);
    return readNdjson(result.stdout).at(-1).event;
  };
  // One object a part: whichever is read second finds L1 in the log_ids the checkpoint committed (the day is both
  // --from and --to).
  expect(await runFetched(['--checkpoint-objects', '1', '--from', '2024-05-01', '--to', '2024-05-01'])).toMatchObject({ objects: 2, records: 3, duplicates: 1 });

  // L1 again, the next day's object: a run over 2024-05-01..02 consults 2024-05-01's log_ids.
  await putObjects(client, 'auth0-archive', [
    { key: 'fetched/2024/05/02/a3.ndjson', body: [L1, login(303, '2024-05-02T09:00:00Z', 'u3')].map((r) => JSON.stringify(recordJson(r))).join('\n') + '\n' },
  ]);
  expect(await runFetched(['--from', '2024-05-01', '--to', '2024-05-02'])).toMatchObject({ objects: 1, records: 2, duplicates: 1 });

  // And --to's own day: 303 again, in a run that ends on 2024-05-02.
  await putObjects(client, 'auth0-archive', [{ key: 'fetched/2024/05/02/a4.ndjson', body: `${JSON.stringify(recordJson(login(303, '2024-05-02T09:00:00Z', 'u3')))}\n` }]);
  client.destroy();
  expect(await runFetched(['--to', '2024-05-02'])).toMatchObject({ objects: 1, records: 1, duplicates: 1 });
});
