import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { readAll } from './s3Fixtures';
import { fixtureClient, startS3Server, type S3TestServer } from './s3Server';

let server: S3TestServer;
let client: S3Client;

beforeAll(async () => {
  server = await startS3Server();
  client = fixtureClient(server);
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

// What a test sees of an object: its listing entry, its HEAD and its bytes.
async function observe(key: string) {
  const head = await client.send(new HeadObjectCommand({ Bucket: 'archive', Key: key }));
  const body = await readAll((await client.send(new GetObjectCommand({ Bucket: 'archive', Key: key }))).Body as NodeJS.ReadableStream);
  const listing = await client.send(new ListObjectsV2Command({ Bucket: 'archive', Prefix: key }));
  const entry = listing.Contents?.find((object) => object.Key === key);
  return { etag: head.ETag, length: head.ContentLength, type: head.ContentType, body: body.toString('base64'), listed: { etag: entry?.ETag, size: entry?.Size } };
}

describe('the S3 test server', () => {
  it.each([
    ['text', Buffer.from('{"log_id":"1"}\n')],
    ['gzip bytes', gzipSync(Buffer.from('{"log_id":"2"}\n'.repeat(100)))],
    ['an empty folder marker', Buffer.alloc(0)],
  ])('stores a seeded object (%s) as it stores the same object PUT', async (_name, body) => {
    const suffix = body.length === 0 ? '/' : '.gz';
    const put = `put/${_name.replace(/ /g, '-')}${suffix}`;
    const seeded = `seeded/${_name.replace(/ /g, '-')}${suffix}`;
    await client.send(new PutObjectCommand({ Bucket: 'archive', Key: put, Body: body, ContentLength: body.length }));
    await server.seed('archive', [{ key: seeded, body }]);
    const [a, b] = await Promise.all([observe(put), observe(seeded)]);
    expect(b).toEqual(a);
    // Worked out independently: S3's ETag of a single-part object is the quoted MD5 of its bytes.
    expect(b.etag).toBe(`"${require('node:crypto').createHash('md5').update(body).digest('hex')}"`);
    expect(Buffer.from(b.body, 'base64').equals(body)).toBe(true);
  });
});
