import type { S3ClientConfig } from '@aws-sdk/client-s3';

// Apart from the client so that the CLI can describe its S3 flags without loading the AWS SDK (about 50 ms).
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

/** The stall timeout of `options` in milliseconds. */
export function stallMsOf(options: Pick<S3ClientOptions, 'stallSeconds'>): number {
  return Math.round((options.stallSeconds ?? DEFAULT_STALL_SECONDS) * 1000);
}
