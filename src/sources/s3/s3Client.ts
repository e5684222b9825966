import http from 'node:http';
import https from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_STALL_SECONDS = 60;

/** How to reach S3 or an S3-compatible store. Credentials and region default to the AWS SDK chain. */
export interface S3ClientOptions {
  /** Region; when absent the SDK chain (AWS_REGION, profile) decides. */
  region?: string;
  /** Endpoint of an S3-compatible store (MinIO, Ceph, R2, …), e.g. `http://localhost:9000`. */
  endpoint?: string;
  /** Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key` (most self-hosted stores). */
  forcePathStyle?: boolean;
  /** Objects read at once; the socket pool is sized above it. */
  concurrency?: number;
  /** Seconds without a byte (or without response headers) before a read counts as stalled. */
  stallSeconds?: number;
  /** Explicit credentials (tests, embedding); normally left to the SDK chain. */
  credentials?: S3ClientConfig['credentials'];
}

/**
 * Sockets for `concurrency` object reads, one listing with its prefetched next page, and a few spare
 * so a retry is not queued behind a socket that is still closing.
 */
export function socketPoolSize(concurrency: number): number {
  return concurrency + 4;
}

export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const stallMs = Math.round((options.stallSeconds ?? DEFAULT_STALL_SECONDS) * 1000);
  const agentOptions = { keepAlive: true, maxSockets: socketPoolSize(concurrency) };
  return new S3Client({
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
      // Bounds the wait for response headers only (cleared once they arrive); the body has its own
      // stall watch in watchedBody.ts, which respects backpressure.
      requestTimeout: stallMs,
      throwOnRequestTimeout: true,
    },
  });
}
