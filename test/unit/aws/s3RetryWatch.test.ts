import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../../src/aws/s3Client';
import type { S3RetriedRequest } from '../../../src/aws/s3ClientOptions';
import { S3Source } from '../../../src/sources/s3/s3Source';
import { S3RequestError } from '../../../src/sources/s3/s3Errors';
import type { InputObject } from '../../../src/sources/inputObject';
import { S3StateStorage } from '../../../src/state/s3StateStorage';
import { startCuttingProxy, type CuttingProxy } from '../../support/cuttingProxy';
import { putObjects, readAll } from '../../support/s3Fixtures';
import { fixtureClient, startS3Server, type S3TestServer } from '../../support/s3Server';
import { rejectionOf } from '../../support/rejectionOf';

// The SDK's own retries (its standard strategy: 3 attempts), seen through the real SDK against s3rver, with a proxy
// in front that answers some requests itself. The SDK's waits are its own random ones (below 50 ms, then 100 ms
// after a server error; below 1 s after throttling): they make a test slower, never decide it.
const BODY = '{"type":"s","log_id":"1"}\n{"type":"s","log_id":"2"}\n';
let server: S3TestServer;
let proxy: CuttingProxy;
let client: S3Client;
let reports: S3RetriedRequest[];

const options = () => ({
  endpoint: proxy.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  retries: { retried: (request: S3RetriedRequest) => reports.push(request) },
});
const isGetOfA = (r: { method: string; url: string }) => r.method === 'GET' && r.url.startsWith('/archive/retry/a.ndjson');
const isListing = (r: { method: string; url: string }) => r.method === 'GET' && r.url.startsWith('/archive/?list-type=2');

beforeAll(async () => {
  server = await startS3Server({ buckets: ['archive', 'usage-state'] });
  proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const fixtures = fixtureClient(server);
  await putObjects(fixtures, 'archive', [{ key: 'retry/a.ndjson', body: BODY }]);
  fixtures.destroy();
  client = createS3Client(options());
}, 60_000);
afterAll(async () => {
  client?.destroy();
  await proxy?.stop();
  await server?.stop();
});
beforeEach(() => {
  reports = [];
});
afterEach(() => proxy.sabotage(undefined));

/** The one object under retry/, listed. */
async function listedA(): Promise<InputObject> {
  const objects: InputObject[] = [];
  for await (const object of new S3Source({ url: 's3://archive/retry/', client }).list()) objects.push(object);
  expect(objects.map((o) => o.name)).toEqual(['s3://archive/retry/a.ndjson']);
  return objects[0]!;
}

async function readA(): Promise<string> {
  const object = await listedA();
  return (await readAll(await object.open())).toString();
}

test('a GetObject refused twice with 500: one report of 3 attempts, the body read whole', async () => {
  const before = proxy.spoiled;
  proxy.sabotage({ match: isGetOfA, action: { kind: 'fail', status: 500, code: 'InternalError' }, times: 2 });
  expect(await readA()).toBe(BODY);
  expect(proxy.spoiled - before).toBe(2);
  expect(reports).toEqual([
    { operation: 'GetObject', bucket: 'archive', key: 'retry/a.ndjson', prefix: undefined, attempts: 3, retryDelayMs: expect.any(Number), reason: 'HTTP 500 InternalError', failed: false },
  ]);
  // The SDK's waits after a server error are drawn below 50 ms, then below 100 ms.
  expect(reports[0]!.retryDelayMs).toBeGreaterThanOrEqual(0);
  expect(reports[0]!.retryDelayMs).toBeLessThan(150);
});

test('a listing page refused once with 500: reported with its prefix, not a key', async () => {
  proxy.sabotage({ match: isListing, action: { kind: 'fail', status: 500, code: 'InternalError' }, times: 1 });
  expect(await readA()).toBe(BODY);
  expect(reports).toEqual([
    { operation: 'ListObjectsV2', bucket: 'archive', key: undefined, prefix: 'retry/', attempts: 2, retryDelayMs: expect.any(Number), reason: 'HTTP 500 InternalError', failed: false },
  ]);
  expect(reports[0]!.retryDelayMs).toBeLessThan(50);
});

test('a connection reset once before the answer: the reason is the reset', async () => {
  proxy.sabotage({ match: isGetOfA, action: { kind: 'reset' }, times: 1 });
  expect(await readA()).toBe(BODY);
  expect(reports.map((r) => [r.operation, r.attempts, r.reason, r.failed])).toEqual([['GetObject', 2, 'ECONNRESET', false]]);
});

test('a GetObject refused on every attempt: reported as failed after 3 attempts, and the read fails as before', async () => {
  const object = await listedA();
  const before = proxy.spoiled;
  proxy.sabotage({ match: isGetOfA, action: { kind: 'fail', status: 503, code: 'ServiceUnavailable' } });
  const err = await rejectionOf(object.open());
  expect(err).toBeInstanceOf(S3RequestError);
  expect(err.message).toBe('reading s3://archive/retry/a.ndjson failed: HTTP 503 ServiceUnavailable');
  expect(proxy.spoiled - before).toBe(3);
  expect(reports.map((r) => [r.operation, r.key, r.attempts, r.reason, r.failed])).toEqual([['GetObject', 'retry/a.ndjson', 3, 'HTTP 503 ServiceUnavailable', true]]);
});

test('requests that get through at once, or fail for good at once, are not reported', async () => {
  expect(await readA()).toBe(BODY);
  // 404 is not retried by the SDK: one attempt.
  const missing = new S3Source({ url: 's3://archive/retry/', client });
  await expect(missing.openObject('retry/none.ndjson', 's3://archive/retry/none.ndjson')).rejects.toThrow();
  expect(reports).toEqual([]);
});

test("the state's client reports too: a PUT throttled once with 503 SlowDown", async () => {
  const storage = new S3StateStorage('s3://usage-state/nightly/', options());
  try {
    proxy.sabotage({ match: (r) => r.method === 'PUT' && r.url.startsWith('/usage-state/nightly/manifest.json'), action: { kind: 'fail', status: 503, code: 'SlowDown' }, times: 1 });
    await storage.write('manifest.json', Buffer.from('{}'));
    expect((await storage.read('manifest.json'))?.toString()).toBe('{}');
    expect(reports.map((r) => [r.operation, r.bucket, r.key, r.attempts, r.reason, r.failed])).toEqual([['PutObject', 'usage-state', 'nightly/manifest.json', 2, 'HTTP 503 SlowDown', false]]);
    // A throttled request waits longer: drawn below 1 s.
    expect(reports[0]!.retryDelayMs).toBeLessThan(1000);
  } finally {
    await storage.close();
  }
});
