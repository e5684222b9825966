import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { generate } from 'selfsigned';
import { inspect } from 'node:util';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, type S3ClientOptions } from '../../../../src/aws/s3Client';
import { S3Source } from '../../../../src/sources/s3/s3Source';
import { isRetryableReadError } from '../../../../src/sources/s3/s3Errors';
import { InputError, InputGoneError } from '../../../../src/sources/inputObject';
import { putObjects } from '../../../support/s3Fixtures';
import { fixtureClient, startS3Server, type S3TestServer } from '../../../support/s3Server';
import { closedLoopbackPort } from '../../../support/closedPort';

const WRONG_SECRET = 'wrong-secret-Zq8PpX3vL0mKj5sN7tUf';

let server: S3TestServer;
const clients: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  server = await startS3Server({ buckets: ['archive', 'locked'], deniedBuckets: ['locked'] });
  const fixtures = fixtureClient(server);
  await putObjects(fixtures, 'archive', [
    { key: 'logs/a.json', body: '{}\n' },
    { key: 'logs/b.json', body: '{}\n' },
  ]);
  fixtures.destroy();
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.stop();
});

function source(url: string, overrides: Partial<S3ClientOptions> = {}): S3Source {
  const options: S3ClientOptions = {
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    ...overrides,
  };
  const client = createS3Client(options);
  clients.push(client);
  return new S3Source({ url, client, endpoint: options.endpoint });
}

async function listError(s: S3Source): Promise<Error> {
  try {
    for await (const _ of s.list()) {
      // listing must fail before yielding
    }
  } catch (err) {
    return err as Error;
  }
  throw new Error('listing succeeded');
}

describe('S3 failures as one-line input errors', () => {
  it('a wrong secret key: names the bucket and prefix, never the secret', async () => {
    const err = await listError(source('s3://archive/logs/', { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: WRONG_SECRET } }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      'credentials rejected for s3://archive/logs/: the request signature does not match; check the secret access key paired with the access key id',
    );
    expect(isRetryableReadError(err)).toBe(false);
    // Not in the message, nor anywhere in the error and its causes as a log line would print them.
    expect(inspect(err, { depth: 10 })).not.toContain(WRONG_SECRET);
    expect(JSON.stringify(err)).not.toContain(WRONG_SECRET);
  });

  it('an access key id the store does not know', async () => {
    const err = await listError(source('s3://archive/logs/', { credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: WRONG_SECRET } }));
    expect(err.message).toBe(
      `credentials rejected for s3://archive/logs/: the access key id is unknown to ${server.endpoint}; check AWS_PROFILE / AWS_ACCESS_KEY_ID`,
    );
    expect(inspect(err, { depth: 10 })).not.toContain(WRONG_SECRET);
  });

  it('access denied by the bucket', async () => {
    const err = await listError(source('s3://locked/p/'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe('access denied to s3://locked/p/: check the credentials and that the role allows s3:ListBucket on the bucket');
  });

  it('no such bucket', async () => {
    const err = await listError(source('s3://no-such-bucket/logs/'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe('no such bucket: s3://no-such-bucket/ (check the bucket name and --s3-endpoint)');
  });

  it('an endpoint nothing listens on', async () => {
    const endpoint = `http://127.0.0.1:${await closedLoopbackPort()}`;
    const err = await listError(source('s3://archive/logs/', { endpoint }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      `cannot reach ${endpoint} for s3://archive/logs/: ECONNREFUSED; check --s3-endpoint / AWS_ENDPOINT_URL_S3 and the network`,
    );
  });

  it('an endpoint that is no S3 store (a plain-text 404): says so, not the SDK\'s hidden field', async () => {
    // A JSON answer (HEC's port) reads the same; the SDK told `… inspect the hidden field {error}.$response`.
    const web = http.createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(web.address() as net.AddressInfo).port}`;
    try {
      const err = await listError(source('s3://archive/logs/', { endpoint }));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toBe(`the reply of ${endpoint} for s3://archive/logs/ is not an S3 reply (HTTP 404): check that --s3-endpoint / AWS_ENDPOINT_URL_S3 is the S3 store`);
    } finally {
      web.close();
    }
  });

  it('an HTTPS endpoint whose certificate is not trusted', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }]);
    const tls = https.createServer({ key: pems.private, cert: pems.cert }, (_req, res) => res.end());
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const endpoint = `https://127.0.0.1:${(tls.address() as net.AddressInfo).port}`;
    try {
      const err = await listError(source('s3://archive/logs/', { endpoint }));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(new RegExp(`^the TLS certificate of ${endpoint} is not trusted \\(.*self[- ]signed.*\\) for s3://archive/logs/: point NODE_EXTRA_CA_CERTS at its CA file$`, 'i'));
    } finally {
      tls.close();
    }
  });

  it('an object deleted between listing and reading', async () => {
    const objects = [];
    for await (const o of source('s3://archive/logs/').list()) objects.push(o);
    expect(objects.map((o) => o.name)).toEqual(['s3://archive/logs/a.json', 's3://archive/logs/b.json']);
    const fixtures = fixtureClient(server);
    await fixtures.send(new DeleteObjectCommand({ Bucket: 'archive', Key: 'logs/b.json' }));
    fixtures.destroy();
    const err = await objects[1].open().then(
      () => undefined,
      (e: Error) => e,
    );
    // Gone, which a run passes over with a warning (an InputError where the object must be there).
    expect(err).toBeInstanceOf(InputGoneError);
    expect(err).toBeInstanceOf(InputError);
    expect(err?.message).toBe('s3://archive/logs/b.json no longer exists (deleted after it was listed?)');
  });

  it('an object archived to a Glacier storage class: says so, not "access denied"', async () => {
    // S3 answers GetObject on an archived, unrestored object with 403 InvalidObjectState (what a lifecycle rule does
    // to old Firehose archives); the test server has no storage classes, so a plain HTTP server says it here.
    const store = http.createServer((req, res) => {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidObjectState</Code>' +
          "<Message>The operation is not valid for the object's storage class</Message><StorageClass>GLACIER</StorageClass></Error>",
      );
    });
    await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(store.address() as net.AddressInfo).port}`;
      const err = await source('s3://archive/logs/', { endpoint }).openObject('logs/2023/01/01/a.gz', 's3://archive/logs/2023/01/01/a.gz').then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect(err?.message).toBe(
        's3://archive/logs/2023/01/01/a.gz is archived in a storage class that must be restored before it can be read (S3 says InvalidObjectState)',
      );
    } finally {
      await new Promise<void>((resolve) => store.close(() => resolve()));
    }
  });
});
