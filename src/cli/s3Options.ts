import type { Argv } from 'yargs';
import { UsageError } from './usageError';
import { redactSecrets } from '../errorText';
import { positiveAmount, wholeNumberAtLeast } from './flagChecks';
import { DEFAULT_CONCURRENCY, DEFAULT_STALL_SECONDS, type S3ClientOptions } from '../sources/s3/s3ClientOptions';

/** Parses an endpoint URL; thrown messages become yargs usage errors. */
export function parseEndpoint(value: string, label = '--s3-endpoint'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${label} must be an http:// or https:// URL, got "${redactSecrets(value)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${label} must be an http:// or https:// URL, got "${redactSecrets(value)}"`);
  }
  // Refused rather than stripped: credentials in a URL end up in shell history, process lists and CronJob specs,
  // and S3 does not take them from there anyway. The message does not repeat them.
  if (url.username || url.password) {
    throw new Error(`${label} must not contain credentials (user:password@): give them as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a profile`);
  }
  return value;
}

/** Option definitions for reading from S3 and for the read loop; spread into `yargs.options(...)`. */
export const s3CliOptions = {
  's3-endpoint': {
    type: 'string',
    describe: 'Endpoint of an S3-compatible store, e.g. http://localhost:9000 [default: AWS_ENDPOINT_URL_S3, else AWS]',
    coerce: (value: string) => parseEndpoint(value),
  },
  's3-force-path-style': {
    type: 'boolean',
    default: false,
    describe: 'Address buckets as endpoint/bucket/key (most self-hosted stores need this)',
  },
  's3-region': {
    type: 'string',
    describe: 'Region of the bucket [default: AWS_REGION or the profile; us-east-1 with --s3-endpoint]',
  },
  concurrency: {
    type: 'number',
    defaultDescription: `${DEFAULT_CONCURRENCY} with s3:// inputs; local files: one per core, up to 4`,
    describe: 'Input objects read at once',
    coerce: wholeNumberAtLeast('--concurrency'),
  },
  's3-stall-seconds': {
    type: 'number',
    default: DEFAULT_STALL_SECONDS,
    describe: 'Seconds without data before an S3 read is abandoned and retried',
    coerce: positiveAmount('--s3-stall-seconds', 'seconds'),
  },
  progress: {
    type: 'boolean',
    default: true,
    describe: 'Progress bar on a terminal; --no-progress logs a JSON progress line every 30 s instead',
  },
} as const;

/** Adds the S3 and read-loop options under their own help heading. */
export function withS3Options<T>(yargs: Argv<T>) {
  return yargs.options(s3CliOptions).group(['s3-endpoint', 's3-force-path-style', 's3-region', 's3-stall-seconds'], 'S3:');
}

/** The parsed flags `s3ClientOptionsFrom` reads. */
export interface S3Args {
  's3-endpoint'?: string;
  's3-force-path-style'?: boolean;
  's3-region'?: string;
  concurrency?: number;
  's3-stall-seconds'?: number;
}

/**
 * Client options from flags, then environment. Credentials are left to the AWS SDK chain
 * (env keys, AWS_PROFILE / SSO, web identity, container and instance roles).
 */
export function s3ClientOptionsFrom(args: S3Args, env: NodeJS.ProcessEnv = process.env): S3ClientOptions {
  let fromEnv: string | undefined;
  try {
    fromEnv = env.AWS_ENDPOINT_URL_S3 ? parseEndpoint(env.AWS_ENDPOINT_URL_S3, 'AWS_ENDPOINT_URL_S3') : undefined;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const endpoint = args['s3-endpoint'] ?? fromEnv;
  return {
    endpoint,
    forcePathStyle: args['s3-force-path-style'] ?? false,
    // S3-compatible stores mostly sign as us-east-1; otherwise the SDK chain (AWS_REGION, profile) decides.
    region: args['s3-region'] || (endpoint && !env.AWS_REGION ? 'us-east-1' : undefined),
    concurrency: args.concurrency ?? DEFAULT_CONCURRENCY,
    stallSeconds: args['s3-stall-seconds'] ?? DEFAULT_STALL_SECONDS,
  };
}
