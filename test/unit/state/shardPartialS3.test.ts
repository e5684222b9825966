import { S3StateStorage } from '../../../src/state/s3StateStorage';
import { ShardPartialWriter, removeShardPartials, type ShardSpec } from '../../../src/state/shardPartial';
import { startS3Server, type S3TestServer } from '../../support/s3Server';

// On S3 a folder is no object: removing `shards/<N>` removes nothing under it, so each file must go by name.
let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server({ buckets: ['usage-state'] });
}, 60_000);
afterAll(() => server.stop());

const SPEC: ShardSpec = { inputs: ['s3://logs/'], include: [], exclude: [], timezone: 'UTC', from: null, to: null, rollup_config: 'abc' };
const COUNTS = { objects: 1, bytes: 10, records: 1, malformed: 0, rejected: 0, quarantine_truncated: 0, skipped: 0 };

test("removing a merged set's partials from an S3 state leaves no key of it, its marker included", async () => {
  const storage = new S3StateStorage('s3://usage-state/merged/', {
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  try {
    for (const index of [0, 1]) {
      const writer = await ShardPartialWriter.start(storage, 2, index);
      await writer.writeRecordFile(Buffer.from('records'), [{ name: `s3://logs/${index}.gz`, size: 10, version: 'v1' }]);
      await writer.finish(SPEC, COUNTS, new Date('2024-03-01T00:00:00Z'));
    }
    await storage.write('manifest.json', Buffer.from('{}'));
    await removeShardPartials(storage, 2, new Date('2024-03-02T00:00:00Z'));
    expect(await storage.list()).toEqual(['manifest.json']);
  } finally {
    await storage.close();
  }
});
