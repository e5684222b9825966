import { PutObjectCommand } from '@aws-sdk/client-s3';
import { S3StateStorage } from '../../../src/state/s3StateStorage';
import { StateLockedError } from '../../../src/state/stateErrors';
import { StateLock } from '../../../src/state/stateLock';
import { fixtureClient, startS3Server, type S3TestServer } from '../../support/s3Server';

// The local lock is covered in stateLock.test.ts; here the age of an empty lock.json comes from S3's LastModified.
let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server({ buckets: ['usage-state'] });
}, 60_000);
afterAll(() => server.stop());

const MINUTE = 60_000;

test('an empty lock.json on S3 is refused while young and taken over once older than the lease', async () => {
  const client = fixtureClient(server);
  await client.send(new PutObjectCommand({ Bucket: 'usage-state', Key: 'st/lock.json', Body: Buffer.alloc(0), ContentLength: 0 }));
  client.destroy();
  const storage = new S3StateStorage('s3://usage-state/st/', {
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  try {
    const written = await storage.modifiedAt('lock.json');
    expect(written).toBeInstanceOf(Date);
    const at = (ms: number) => () => new Date(ms);
    // Just inside the lease: refused, naming S3's own time of the write.
    const young = StateLock.acquire(storage, { staleMs: 30 * MINUTE, now: at(written!.getTime() + 30 * MINUTE) });
    await expect(young).rejects.toThrow(StateLockedError);
    await expect(young).rejects.toThrow(`has a lock.json that is empty or unreadable, written ${written!.toISOString()}`);
    // Past it: taken over.
    const lock = await StateLock.acquire(storage, { staleMs: 30 * MINUTE, now: at(written!.getTime() + 30 * MINUTE + 1000) });
    const owner = JSON.parse((await storage.read('lock.json'))!.toString('utf8'));
    expect(owner.pid).toBe(process.pid);
    await lock.release();
    expect(await storage.read('lock.json')).toBeUndefined();
  } finally {
    await storage.close();
  }
});
