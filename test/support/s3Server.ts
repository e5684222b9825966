import { fork } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3ServerChildConfig, SeedRequest } from './s3ServerChild';

export interface S3ServerOptions {
  buckets?: string[];
  accessKeyId?: string;
  secretAccessKey?: string;
  deniedBuckets?: string[];
}

export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * Stores objects in a bucket directly, as a PUT of each would (same files, same ETag), for fixtures of many
   * objects; the listing and reading under test still go through S3 requests.
   */
  seed(bucket: string, objects: Array<{ key: string; body: Buffer | string }>): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '../..');

/**
 * Starts s3rver in a child process (see s3ServerChild.ts) on a free loopback port with a fresh temp
 * directory and one key pair whose signatures are really checked.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3TestServer> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const config: S3ServerChildConfig = {
    directory,
    buckets: options.buckets ?? ['archive'],
    accessKeyId: options.accessKeyId ?? 'AKIDTESTREADER',
    secretAccessKey: options.secretAccessKey ?? 'test-secret-access-key-0123456789',
    deniedBuckets: options.deniedBuckets ?? [],
  };
  const child = fork(path.join(__dirname, 's3ServerChild.ts'), [JSON.stringify(config)], {
    cwd: ROOT,
    // The legacy provider is for this child only: the test process keeps OpenSSL's defaults.
    execArgv: ['--openssl-legacy-provider', '-r', path.join(ROOT, 'scripts/ts-register.js')],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const ready = new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    exited.then(([code]) => reject(new Error(`s3 test server exited with ${code} before listening:\n${stderr}`)));
  });
  const port = await ready;
  let seeds = 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    async seed(bucket, objects) {
      const id = ++seeds;
      const done = new Promise<void>((resolve, reject) => {
        const onMessage = (message: { seeded?: number; error?: string }) => {
          if (message.seeded !== id) return;
          child.off('message', onMessage);
          if (message.error) reject(new Error(`seeding ${bucket} failed: ${message.error}`));
          else resolve();
        };
        child.on('message', onMessage);
      });
      const request: SeedRequest = { seed: { id, bucket, objects: objects.map(({ key, body }) => ({ key, body: Buffer.from(body).toString('base64') })) } };
      child.send(request);
      await done;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A client for putting fixtures. `WHEN_REQUIRED` checksums make the SDK send plain bodies: s3rver does
 * not decode aws-chunked uploads and would store the framing as object bytes.
 */
export function fixtureClient(server: S3TestServer, endpoint = server.endpoint): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
