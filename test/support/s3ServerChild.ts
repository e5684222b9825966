/**
 * Child-process entry for test/support/s3Server.ts: runs s3rver 3.7.1 under `--openssl-legacy-provider`
 * (its continuation tokens use DES) with real SigV4 checking in front. Not a test file.
 *
 * argv[2]: JSON `S3ServerChildConfig`. Reports `{ port }` over IPC once listening; exits when the parent
 * disconnects, so a crashed test run leaves no server behind. A `SeedRequest` message stores objects the way
 * s3rver's PUT does, without a request each, and is answered with `{ seeded: id }` once they are on disk.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { verifySigV4 } from './s3SigV4';

export interface S3ServerChildConfig {
  directory: string;
  buckets: string[];
  accessKeyId: string;
  secretAccessKey: string;
  /** Buckets every request to which is refused with 403 AccessDenied (a bucket policy stand-in). */
  deniedBuckets: string[];
}

/** Objects to store before a test lists or reads them; bodies in base64. */
export interface SeedRequest {
  seed: { id: number; bucket: string; objects: Array<{ key: string; body: string }> };
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
}

/**
 * What s3rver's FilesystemStore.putObject leaves on disk for a PUT by the AWS SDK (the object, its MD5, its
 * metadata), written synchronously: small files, thousands at a time, go faster without the thread pool.
 */
function storeObject(store: FilesystemStore, bucket: string, key: string, body: Buffer): void {
  const objectPath = store.getResourcePath(bucket, key, 'object');
  mkdirSync(path.dirname(objectPath), { recursive: true });
  writeFileSync(objectPath, body);
  writeFileSync(store.getResourcePath(bucket, key, 'object.md5'), createHash('md5').update(body).digest('hex'));
  writeFileSync(store.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify({ 'content-type': 'application/octet-stream' }, null, 2));
}

// s3rver ships no type declarations, hence plain require().
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const S3Error = require('s3rver/lib/models/error');

interface KoaContext {
  method: string;
  req: { url?: string; headers: Record<string, string | string[] | undefined> };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as S3ServerChildConfig;
  // Replace s3rver's built-in S3RVER/S3RVER key pair with the configured one.
  AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(config.accessKeyId, config.secretAccessKey);
  const secrets = new Map([[config.accessKeyId, config.secretAccessKey]]);

  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: config.directory,
    configureBuckets: config.buckets.map((name) => ({ name })),
    vhostBuckets: false,
  });

  // Runs before s3rver's own middleware; its onerror renders thrown S3Errors as S3 XML responses.
  server.middleware.unshift(async (ctx: KoaContext, next: () => Promise<void>) => {
    const verdict = verifySigV4({ method: ctx.method, url: ctx.req.url ?? '/', headers: ctx.req.headers }, secrets);
    if (!verdict.ok) {
      if (verdict.reason === 'unknown-key') {
        throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
      }
      if (verdict.reason === 'mismatch') {
        throw new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
      }
      throw new S3Error('AccessDenied', 'Access Denied');
    }
    const bucket = decodeURIComponent((ctx.req.url ?? '/').split(/[/?]/)[1] ?? '');
    if (config.deniedBuckets.includes(bucket)) throw new S3Error('AccessDenied', 'Access Denied');
    await next();
  });

  const { port } = await server.run();
  process.on('message', (message: SeedRequest) => {
    const { id, bucket, objects } = message.seed;
    try {
      for (const { key, body } of objects) storeObject(server.store, bucket, key, Buffer.from(body, 'base64'));
      process.send?.({ seeded: id });
    } catch (err) {
      process.send?.({ seeded: id, error: (err as Error).message });
    }
  });
  process.send?.({ port });
  process.on('disconnect', () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`s3 test server failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
