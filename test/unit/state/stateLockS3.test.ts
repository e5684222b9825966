import { PutObjectCommand } from '@aws-sdk/client-s3';
import { S3StateStorage } from '../../../src/state/s3StateStorage';
import { StateLock } from '../../../src/state/stateLock';
import { fixtureClient, startS3Server, type S3TestServer } from '../../support/s3Server';

// The local lock is covered in stateLock.test.ts; here what S3 (s3rver) adds: its LastModified and its conditions.
let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server({ buckets: ['usage-state'] });
}, 60_000);
afterAll(() => server.stop());

const MINUTE = 60_000;
const EXPIRY = 2 * MINUTE;

function openStorage(prefix: string): S3StateStorage {
  return new S3StateStorage(`s3://usage-state/${prefix}/`, {
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
}

async function put(key: string, body: string): Promise<void> {
  const client = fixtureClient(server);
  await client.send(new PutObjectCommand({ Bucket: 'usage-state', Key: key, Body: Buffer.from(body), ContentLength: Buffer.byteLength(body) }));
  client.destroy();
}

/** A clock only the lock's waits move. */
function fakeTime(startMs: number) {
  const time = { nowMs: startMs, waited: 0 };
  return { time, now: () => new Date(time.nowMs), sleep: async (ms: number) => void ((time.nowMs += ms), (time.waited += ms)) };
}

test('s3rver ignores If-None-Match and If-Match on PUT: create() and replace() report success and overwrite', async () => {
  // What the fallback is for: with these conditions ignored, the read-back after taking the lock and verify()
  // before every commit are what keep two racing runs from both committing (AWS S3 honours both conditions).
  const storage = openStorage('conditions');
  try {
    expect(await storage.create('lock.json', Buffer.from('first'))).toBe(true);
    expect(await storage.create('lock.json', Buffer.from('second'))).toBe(true);
    expect((await storage.read('lock.json'))!.toString()).toBe('second');
    const seen = (await storage.readVersioned('lock.json'))!;
    expect(seen.version).toMatch(/^"[0-9a-f]{32}"$/); // the ETag
    expect(await storage.replace('lock.json', Buffer.from('third'), seen.version)).toBe(true);
    expect(await storage.replace('lock.json', Buffer.from('fourth'), seen.version)).toBe(true);
    expect((await storage.read('lock.json'))!.toString()).toBe('fourth');
  } finally {
    await storage.close();
  }
});

test('an empty lock.json on S3 is waited for and taken over once S3 dated it older than the expiry', async () => {
  await put('empty/lock.json', '');
  const storage = openStorage('empty');
  try {
    const written = await storage.modifiedAt('lock.json');
    expect(written).toBeInstanceOf(Date);
    // First look 1 minute after S3's write: polled every 10 s until 2 min 10 s after it (2 min exactly is not older).
    const clock = fakeTime(written!.getTime() + MINUTE);
    const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...clock });
    expect(clock.time.waited).toBe(70_000);
    const owner = JSON.parse((await storage.read('lock.json'))!.toString('utf8'));
    expect(owner.pid).toBe(process.pid);
    await lock.release();
    expect(await storage.read('lock.json')).toBeUndefined();
  } finally {
    await storage.close();
  }
});

test('a lock of another host on S3 left by a killed run is taken over after the expiry; a live one (heartbeat moving) is refused', async () => {
  const lockOf = (at: Date) => JSON.stringify({ token: 'other', host: 'pod-1', pid: 1, acquiredAt: at.toISOString(), heartbeatAt: at.toISOString() });
  const storage = openStorage('killed');
  try {
    await put('killed/lock.json', lockOf(new Date()));
    const start = Date.now();
    const live = fakeTime(start);
    const refused = StateLock.acquire(storage, {
      expiryMs: EXPIRY,
      now: live.now,
      sleep: async (ms) => {
        await live.sleep(ms);
        await put('killed/lock.json', lockOf(live.now()));
      },
    });
    await expect(refused).rejects.toThrow(/in use by another run \(host pod-1, pid 1/);
    expect(live.time.waited).toBe(10_000);

    const dead = fakeTime(start);
    const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...dead });
    expect(dead.time.waited).toBe(EXPIRY);
    expect(JSON.parse((await storage.read('lock.json'))!.toString('utf8')).pid).toBe(process.pid);
    await lock.verify();
    await lock.release();
  } finally {
    await storage.close();
  }
});
