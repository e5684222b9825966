import http from 'node:http';
import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { checkS3Region } from './s3Config';
import { DEFAULT_CONCURRENCY, DEFAULT_STALL_SECONDS, stallMsOf, type S3ClientOptions } from './s3ClientOptions';
import { watchRetries } from './s3RetryWatch';

export { DEFAULT_CONCURRENCY, DEFAULT_STALL_SECONDS, type S3ClientOptions };

/**
 * Sockets for `concurrency` object reads, one listing with its prefetched next page, and a few spare
 * so a retry is not queued behind a socket that is still closing.
 */
export function socketPoolSize(concurrency: number): number {
  return concurrency + 4;
}

/**
 * An S3 client; an S3ConfigError (exit 2) if the region given or in AWS_REGION cannot work. With `retries`, every
 * request the SDK had to send again is reported there (s3RetryWatch.ts).
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  checkS3Region(options.region, process.env);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const stallMs = stallMsOf(options);
  const agentOptions = { keepAlive: true, maxSockets: socketPoolSize(concurrency) };
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: options.credentials,
    // A bucket in another region than the configured one answers 301; follow it instead of failing.
    followRegionRedirects: true,
    requestHandler: {
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: Math.min(stallMs, 10_000),
      // Bounds the wait for response headers only (cleared once they arrive); a body has its own stall watch
      // (watchedBody.ts, for the inputs' and the state's reads alike), which respects backpressure.
      requestTimeout: stallMs,
      throwOnRequestTimeout: true,
    },
  });
  if (options.retries) watchRetries(client, options.retries);
  return client;
}
