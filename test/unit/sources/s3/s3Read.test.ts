import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createS3Client, socketPoolSize } from '../../../../src/aws/s3Client';
import { S3Source } from '../../../../src/sources/s3/s3Source';
import type { WatchedBody } from '../../../../src/sources/s3/watchedBody';
import { S3BodyError, S3StallError, isRetryableReadError } from '../../../../src/sources/s3/s3Errors';
import type { InputObject } from '../../../../src/sources/inputObject';
import { startCuttingProxy, type CuttingProxy } from '../../../support/cuttingProxy';
import { ManualTimers } from '../../../support/manualTimers';
import { until } from '../../../support/until';
import { putObjects, readAll } from '../../../support/s3Fixtures';
import { fixtureClient, startS3Server, type S3TestServer } from '../../../support/s3Server';

/** Auth0-like NDJSON with varied ids so gzip does not shrink it to nothing. */
function ndjson(lines: number, seed: number): Buffer {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(JSON.stringify({ log_id: `9002024${String(next()).padStart(49, '0')}`, type: i % 3 ? 's' : 'seccft', client_id: `c${next()}`, date: '2024-03-01T00:00:00.000Z' }));
  }
  return Buffer.from(out.join('\n') + '\n');
}

const plain = ndjson(3000, 1); // ~300 KB
const gzipped = gzipSync(ndjson(3000, 2));
const streamed = ndjson(1000, 3);
const big = ndjson(80_000, 4); // ~8 MB, larger than every buffer between S3 and the reader
const UNICODE_KEY = 'reads/2024/03/01/05/a b – ü 日本.json';
const expected = new Map<string, Buffer>([
  ['reads/plain.ndjson', plain],
  ['reads/archive.ndjson.gz', gzipped],
  ['reads/streamed.ndjson', streamed],
  ['reads/empty.ndjson', Buffer.alloc(0)],
  [UNICODE_KEY, Buffer.from('{"type":"s","note":"ünïcødé"}\n')],
  ['reads/zz-big.ndjson', big],
]);

let server: S3TestServer;
let proxy: CuttingProxy;
let direct: S3Client;
let viaProxy: S3Client;
/** The SDK's own wait for response headers, 0.5 s: only for the test of the SDK's retries of an unanswered GET. */
let viaProxyShortSdkTimeout: S3Client;

function clientFor(endpoint: string, extra: { stallSeconds?: number; concurrency?: number } = {}): S3Client {
  return createS3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    ...extra,
  });
}

async function objectsOf(source: S3Source): Promise<Map<string, InputObject>> {
  const byKey = new Map<string, InputObject>();
  for await (const object of source.list()) byKey.set(object.name.slice('s3://archive/'.length), object);
  return byKey;
}

beforeAll(async () => {
  server = await startS3Server();
  proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const fixtures = fixtureClient(server);
  const { 'reads/streamed.ndjson': _streamed, ...rest } = Object.fromEntries(expected);
  await putObjects(fixtures, 'archive', Object.entries(rest).map(([key, body]) => ({ key, body })), 4);
  // A stream body of known length: with the SDK's default checksums s3rver would store aws-chunked framing.
  await fixtures.send(new PutObjectCommand({ Bucket: 'archive', Key: 'reads/streamed.ndjson', Body: Readable.from([streamed]), ContentLength: streamed.length }));
  fixtures.destroy();
  direct = clientFor(server.endpoint);
  // The stall watchdogs run on ManualTimers below; the SDK's own timeouts stay at their default (60 s).
  viaProxy = clientFor(proxy.endpoint);
  viaProxyShortSdkTimeout = clientFor(proxy.endpoint, { stallSeconds: 0.5 });
}, 60_000);

afterAll(async () => {
  direct?.destroy();
  viaProxy?.destroy();
  viaProxyShortSdkTimeout?.destroy();
  await proxy?.stop();
  await server?.stop();
});

afterEach(() => proxy.sabotage(undefined));

describe('S3Source reads', () => {
  it('reads plain, gzip, stream-uploaded, empty and unicode-named objects back byte for byte', async () => {
    const objects = await objectsOf(new S3Source({ url: 's3://archive/reads/', client: direct }));
    expect([...objects.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, bytes] of expected) {
      const object = objects.get(key)!;
      expect(object.name).toBe(`s3://archive/${key}`);
      expect(object.size).toBe(bytes.length);
      expect(object.version).toBe(createHash('md5').update(bytes).digest('hex'));
      const got = await readAll(await object.open());
      expect(got.length).toBe(bytes.length);
      expect(got.equals(bytes)).toBe(true);
    }
  });

  it('can open the same object again and read it whole each time', async () => {
    const object = (await objectsOf(new S3Source({ url: 's3://archive/reads/plain', client: direct }))).get('reads/plain.ndjson')!;
    const [a, b] = await Promise.all([object.open().then(readAll), object.open().then(readAll)]);
    expect(a.equals(plain)).toBe(true);
    expect(b.equals(plain)).toBe(true);
  });

  it('fails a body cut part-way with a retryable S3BodyError naming the key; a re-open reads it whole', async () => {
    // Timers that never fire: however slow the machine, the cut is what fails the read.
    const source = new S3Source({ url: 's3://archive/reads/', client: viaProxy, stallSeconds: 0.5, timers: new ManualTimers() });
    const object = (await objectsOf(source)).get('reads/plain.ndjson')!;
    proxy.sabotage({ match: (r) => r.url.startsWith('/archive/reads/plain.ndjson'), action: { kind: 'cut', afterBytes: 100_000 }, times: 1 });
    const stream = await object.open();
    const received: Buffer[] = [];
    stream.on('data', (c: Buffer) => received.push(c));
    const error = await new Promise<Error>((resolve, reject) => {
      stream.once('error', resolve);
      stream.once('end', () => reject(new Error('the cut body ended as if complete')));
    });
    expect(error).toBeInstanceOf(S3BodyError);
    expect(error.message).toContain('s3://archive/reads/plain.ndjson');
    expect(isRetryableReadError(error)).toBe(true);
    const got = Buffer.concat(received);
    expect(got.length).toBeLessThanOrEqual(100_000);
    expect(got.equals(plain.subarray(0, got.length))).toBe(true);
    expect(proxy.spoiled).toBeGreaterThan(0);

    expect((await readAll(await object.open())).equals(plain)).toBe(true);
  });

  it('fails a body that stops sending with S3StallError after the stall timeout; a re-open reads it whole', async () => {
    const timers = new ManualTimers();
    const source = new S3Source({ url: 's3://archive/reads/', client: viaProxy, stallSeconds: 0.5, timers });
    const object = (await objectsOf(source)).get('reads/archive.ndjson.gz')!;
    proxy.sabotage({ match: (r) => r.url.startsWith('/archive/reads/archive.ndjson.gz'), action: { kind: 'stall', afterBytes: 20_000 }, times: 1 });
    const body = (await object.open()) as WatchedBody;
    const read = readAll(body).then(
      () => undefined,
      (err: Error) => err,
    );
    // The proxy sent 20,000 bytes and went silent; the reader waits with the stall clock running.
    await until(() => body.bytesReceived === 20_000 && timers.pending === 1);
    timers.fireAll();
    const error = await read;
    expect(error).toBeInstanceOf(S3StallError);
    expect(error?.message).toBe('no data from s3://archive/reads/archive.ndjson.gz for 0.5 s (after 20000 bytes)');
    expect(isRetryableReadError(error)).toBe(true);

    expect((await readAll(await object.open())).equals(gzipped)).toBe(true);
  });

  it('does not count a slow reader as a stall', async () => {
    const timers = new ManualTimers();
    const source = new S3Source({ url: 's3://archive/reads/', client: viaProxy, stallSeconds: 0.3, timers });
    const object = (await objectsOf(source)).get('reads/zz-big.ndjson')!;
    const stream = await object.open();
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.once('end', resolve);
      stream.once('error', reject);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.pause();
    // The reader holds back: the body fills the wrapper's buffer (1 MiB) and is paused; that is backpressure,
    // not a dead connection, so no stall clock runs, and any amount of time may pass.
    await until(() => stream.readableLength >= stream.readableHighWaterMark);
    expect(timers.pending).toBe(0);
    timers.fireAll();
    stream.resume();
    await done;
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
  });

  it('retries an unanswered GetObject within the SDK, then gives up with S3StallError', async () => {
    // The wait for response headers is the SDK's own timer (requestTimeout), which cannot be injected: this
    // test runs on real time, with the SDK's timeout at 0.5 s.
    const source = new S3Source({ url: 's3://archive/reads/', client: viaProxyShortSdkTimeout, stallSeconds: 0.5 });
    const object = (await objectsOf(source)).get('reads/plain.ndjson')!;
    const isGet = (r: { method: string; url: string }) => r.method === 'GET' && r.url.startsWith('/archive/reads/plain.ndjson');

    proxy.sabotage({ match: isGet, action: { kind: 'hang' }, times: 1 });
    expect((await readAll(await object.open())).equals(plain)).toBe(true);

    proxy.sabotage({ match: isGet, action: { kind: 'hang' } });
    const before = proxy.spoiled;
    const error = await object.open().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(S3StallError);
    expect(error?.message).toContain('s3://archive/reads/plain.ndjson');
    expect(error?.message).toMatch(/within the stall timeout \(0\.5 s\)$/);
    expect(proxy.spoiled - before).toBe(3); // the SDK's standard three attempts
  });

  it('frees the socket of every body destroyed unread: 60 opens on a pool of 8 sockets', async () => {
    const small = clientFor(server.endpoint, { concurrency: 4 });
    try {
      expect(socketPoolSize(4)).toBeLessThan(60);
      const objects = await objectsOf(new S3Source({ url: 's3://archive/reads/', client: small }));
      const object = objects.get('reads/plain.ndjson')!;
      for (let i = 0; i < 60; i++) {
        let timer: NodeJS.Timeout | undefined;
        const hung = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`open #${i + 1} got no socket: bodies are leaking`)), 10_000);
        });
        const stream = await Promise.race([object.open(), hung]).finally(() => clearTimeout(timer));
        stream.destroy();
      }
      expect((await readAll(await objects.get('reads/archive.ndjson.gz')!.open())).equals(gzipped)).toBe(true);
    } finally {
      small.destroy();
    }
  });
});
