import { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../../../src/aws/s3Client';
import { S3Source } from '../../../../src/sources/s3/s3Source';
import { createS3Source } from '../../../../src/sources/s3';
import { InputFilter } from '../../../../src/sources/inputFilter';
import type { InputObject } from '../../../../src/sources/inputObject';
import { ManualTimers } from '../../../support/manualTimers';
import { until } from '../../../support/until';
import { startCuttingProxy, type CuttingProxy } from '../../../support/cuttingProxy';
import { firehoseKeys, type FixtureKey } from '../../../support/s3Fixtures';
import { startS3Server, type S3TestServer } from '../../../support/s3Server';

// Eight Firehose days across the 2024 leap day, six objects an hour: 1,152 keys, so S3's 1,000-key pages split.
const DAYS = ['2024-02-26', '2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04'];
const dated = firehoseKeys('firehose/', DAYS, 6);
const undated: FixtureKey[] = [
  { key: 'firehose/manifest.json' },
  { key: 'firehose/notes/read me ü.txt' },
  { key: 'firehose/2024/02/30/not-a-date.gz' }, // no such day: not a date path, so always read
];
// Zero-byte "folder" keys made by consoles; never input objects.
const markers = ['firehose/2024/', 'firehose/2024/03/01/'];
const outsidePrefix = ['other/2024/03/01/00/x.gz'];
const readable = [...dated, ...undated];
const totalUnderPrefix = readable.length + markers.length;

let server: S3TestServer;
let proxy: CuttingProxy;
let client: S3Client;

beforeAll(async () => {
  server = await startS3Server();
  proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  // Stored directly: 1,159 PUTs would take most of this file's time (test/support/s3Server.test.ts checks that a
  // seeded object reads back as a PUT one does).
  await server.seed('archive', [
    ...readable.map(({ key }) => ({ key, body: `{"k":"${key}"}\n` })),
    ...markers.map((key) => ({ key, body: '' })),
    ...outsidePrefix.map((key) => ({ key, body: 'x' })),
  ]);
  client = createS3Client({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await proxy?.stop();
  await server?.stop();
});

async function listAll(source: S3Source): Promise<InputObject[]> {
  const out: InputObject[] = [];
  for await (const object of source.list()) out.push(object);
  return out;
}

const listRequests = () => proxy.requests.filter((r) => r.method === 'GET' && r.url.includes('list-type=2')).length;
const namesOf = (keys: FixtureKey[]) => keys.map(({ key }) => `s3://archive/${key}`).sort();
const sorted = (objects: InputObject[]) => objects.map((o) => o.name).sort();

describe('S3Source listing', () => {
  it('lists every object under the prefix across 1,000-key pages, skipping folder markers', async () => {
    const before = listRequests();
    const objects = await listAll(new S3Source({ url: 's3://archive/firehose/', client }));
    expect(objects).toHaveLength(readable.length);
    expect(sorted(objects)).toEqual(namesOf(readable));
    expect(listRequests() - before).toBe(Math.ceil(totalUnderPrefix / 1000));
    const manifest = objects.find((o) => o.name === 's3://archive/firehose/manifest.json');
    expect(manifest?.size).toBe(Buffer.byteLength('{"k":"firehose/manifest.json"}\n'));
  });

  it('follows any number of pages and yields the same objects in the same order', async () => {
    const before = listRequests();
    const small = await listAll(new S3Source({ url: 's3://archive/firehose/', client, pageSize: 100 }));
    expect(listRequests() - before).toBe(Math.ceil(totalUnderPrefix / 100));
    const large = await listAll(new S3Source({ url: 's3://archive/firehose/', client }));
    expect(small.map((o) => o.name)).toEqual(large.map((o) => o.name));
  });

  it('yields the first page before the listing is finished', async () => {
    const before = listRequests();
    const iterator = new S3Source({ url: 's3://archive/firehose/', client, pageSize: 100 }).list()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // The first page and at most the prefetched second one: nowhere near the 12 pages of the whole listing.
    expect(listRequests() - before).toBeLessThanOrEqual(2);
    await iterator.return?.(undefined);
  });

  it('reads date folders from one day before --from to one day after --to, and undated keys always', async () => {
    const objects = await listAll(new S3Source({ url: 's3://archive/firehose/', client, dayRange: { from: '2024-02-29', to: '2024-03-01' } }));
    const window = new Set(['2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02']);
    const expected = [...dated.filter(({ day }) => window.has(day!)), ...undated];
    expect(expected).toHaveLength(4 * 24 * 6 + 3);
    expect(sorted(objects)).toEqual(namesOf(expected));
  });

  it('matches --include/--exclude against the key relative to the prefix', async () => {
    const oneDay = await listAll(new S3Source({ url: 's3://archive/firehose/', client, filter: new InputFilter({ include: ['2024/03/04/**'] }) }));
    expect(sorted(oneDay)).toEqual(namesOf(dated.filter(({ day }) => day === '2024-03-04')));
    expect(oneDay).toHaveLength(24 * 6);
    // An excluded "folder" leaves out every key under it; a name-only glob matches at any depth.
    const filter = new InputFilter({ exclude: ['notes', '*.json', '2024/02/2?/**'] });
    const rest = await listAll(new S3Source({ url: 's3://archive/firehose', client, filter }));
    const expected = [...dated.filter(({ day }) => !['2024-02-26', '2024-02-27', '2024-02-28', '2024-02-29'].includes(day!)), { key: 'firehose/2024/02/30/not-a-date.gz' }];
    expect(sorted(rest)).toEqual(namesOf(expected));
    expect(filter.leftOut).toBe(4 * 24 * 6 + 2);
  });

  it('prunes with one open bound', async () => {
    const fromOnly = await listAll(new S3Source({ url: 's3://archive/firehose/', client, dayRange: { from: '2024-03-04' } }));
    expect(sorted(fromOnly)).toEqual(namesOf([...dated.filter(({ day }) => day === '2024-03-03' || day === '2024-03-04'), ...undated]));
    const toOnly = await listAll(new S3Source({ url: 's3://archive/firehose/', client, dayRange: { to: '2024-02-25' } }));
    expect(sorted(toOnly)).toEqual(namesOf([...dated.filter(({ day }) => day === '2024-02-26'), ...undated]));
  });

  it('narrows by the prefix and names objects s3://bucket/key with the ETag as version', async () => {
    const objects = await listAll(new S3Source({ url: 's3://archive/firehose/2024/03/04/23/', client }));
    expect(sorted(objects)).toEqual(namesOf(dated.filter(({ key }) => key.startsWith('firehose/2024/03/04/23/'))));
    expect(objects).toHaveLength(6);
    for (const o of objects) expect(o.version).toMatch(/^[0-9a-f]{32}$/);
  });

  it('createS3Source builds its own client from CLI-style options and frees it on close()', async () => {
    const source = createS3Source('s3://archive/firehose/2024/03/04/23/', {
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    expect(source.input).toBe('s3://archive/firehose/2024/03/04/23/');
    expect(await listAll(source)).toHaveLength(6);
    source.close();
  });

  it('re-fetches a listing page whose response stalls, without losing or repeating keys', async () => {
    // The SDK's own timeouts stay at their default (60 s): the source's watchdog, on ManualTimers, decides the stall.
    const stallClient = createS3Client({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    const timers = new ManualTimers();
    // The second page (it carries a continuation token) sends its headers and 200 bytes, then nothing.
    proxy.sabotage({ match: (r) => r.url.includes('continuation-token='), action: { kind: 'stall', afterBytes: 200 }, times: 1 });
    try {
      const spoiledBefore = proxy.spoiled;
      const listing = listAll(new S3Source({ url: 's3://archive/firehose/', client: stallClient, pageSize: 400, stallSeconds: 0.5, timers }));
      // The stalled page was asked for, and the listing waits on it.
      await until(() => proxy.spoiled - spoiledBefore === 1 && timers.pending === 1);
      timers.fireAll();
      const objects = await listing;
      expect(proxy.spoiled - spoiledBefore).toBe(1);
      expect(objects.map((o) => o.name).sort()).toEqual(namesOf(readable));
      expect(new Set(objects.map((o) => o.name)).size).toBe(objects.length);
    } finally {
      proxy.sabotage(undefined);
      stallClient.destroy();
    }
  });

  it('a listing page that stalls on every attempt fails with ERR_S3_STALL, naming the prefix once', async () => {
    const timers = new ManualTimers();
    // Every page sends its headers and 200 bytes, then nothing.
    proxy.sabotage({ match: (r) => r.method === 'GET' && r.url.includes('list-type=2'), action: { kind: 'stall', afterBytes: 200 } });
    try {
      const spoiledBefore = proxy.spoiled;
      const listing = listAll(new S3Source({ url: 's3://archive/firehose/', client, pageSize: 400, stallSeconds: 0.5, timers })).catch((err: unknown) => err);
      // Three attempts, each waited on until the test decides it stalled.
      for (let attempt = 1; attempt <= 3; attempt++) {
        await until(() => proxy.spoiled - spoiledBefore === attempt && timers.pending === 1);
        timers.fireAll();
      }
      const err = (await listing) as { code?: string; message?: string };
      expect(proxy.spoiled - spoiledBefore).toBe(3);
      expect([err.code, err.message]).toEqual(['ERR_S3_STALL', 'listing s3://archive/firehose/ failed 3 times: no listing page for 0.5 s']);
    } finally {
      proxy.sabotage(undefined);
    }
  });
});
