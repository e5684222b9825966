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
  /** Told of every request the SDK had to send more than once (see s3RetryWatch.ts); none by default. */
  retries?: S3RetryObserver;
}

/** One S3 request that the AWS SDK's own retries sent more than once, whether it got through or not. */
export interface S3RetriedRequest {
  /** The S3 operation: `GetObject`, `ListObjectsV2`, `PutObject`, … */
  readonly operation: string;
  readonly bucket: string | undefined;
  /** The object's key; undefined for a listing. */
  readonly key: string | undefined;
  /** A listing's prefix ('' for the whole bucket); undefined for any other request. */
  readonly prefix: string | undefined;
  /** Attempts made, the first one included: 2 or more. */
  readonly attempts: number;
  /** Milliseconds the SDK waited between the attempts, in all. */
  readonly retryDelayMs: number;
  /** Why the last retried attempt failed: `HTTP 503 SlowDown`, `ECONNRESET`. Never the request or its signature. */
  readonly reason: string;
  /** The request still failed after its last attempt (its failure is reported where it is handled). */
  readonly failed: boolean;
}

export interface S3RetryObserver {
  retried(request: S3RetriedRequest): void;
}

/** The stall timeout of `options` in milliseconds. */
export function stallMsOf(options: Pick<S3ClientOptions, 'stallSeconds'>): number {
  return Math.round((options.stallSeconds ?? DEFAULT_STALL_SECONDS) * 1000);
}
