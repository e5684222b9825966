import type { Argv } from 'yargs';
import { givenOnce, positiveAmount, wholeNumberAtLeast } from './flagChecks';
import { DEFAULT_CONCURRENCY, DEFAULT_STALL_SECONDS, type S3ClientOptions } from '../aws/s3ClientOptions';
import { checkS3Endpoint, resolveS3Config } from '../aws/s3Config';

/** yargs turns a thrown Error into a usage message; the check itself is the S3 config's. */
function endpointFlag(given: string): string {
  const value = givenOnce('--s3-endpoint', given);
  try {
    return checkS3Endpoint(value);
  } catch (err) {
    throw new Error((err as Error).message);
  }
}

/** Objects read at once, at most: past a few hundred S3 reads gain nothing, and a million once hung the run. */
const MAX_CONCURRENCY = 1024;

/** Option definitions for reading from S3 and for the read loop; spread into `yargs.options(...)`. */
export const s3CliOptions = {
  's3-endpoint': {
    type: 'string',
    describe: 'Endpoint of an S3-compatible store, e.g. http://localhost:9000 [default: AWS_ENDPOINT_URL_S3, else AWS]',
    coerce: endpointFlag,
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
    defaultDescription: `${DEFAULT_CONCURRENCY} with s3:// inputs; local files: one per decode thread`,
    describe: 'Input objects read at once',
    coerce: wholeNumberAtLeast('--concurrency', 1, '', MAX_CONCURRENCY),
  },
  's3-stall-seconds': {
    type: 'number',
    defaultDescription: String(DEFAULT_STALL_SECONDS),
    describe: "Seconds without data before an S3 read is abandoned (an input's is retried, the state's fails)",
    coerce: positiveAmount('--s3-stall-seconds', 'seconds'),
  },
  progress: {
    type: 'boolean',
    default: true,
    describe: 'Progress bar on a terminal; --no-progress logs a progress line every 30 s instead',
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

/** Client options from flags; resolveS3Config adds what the environment says and the defaults. */
export function s3ClientOptionsFrom(args: S3Args, env: NodeJS.ProcessEnv): S3ClientOptions {
  return resolveS3Config(
    {
      endpoint: args['s3-endpoint'],
      forcePathStyle: args['s3-force-path-style'],
      region: args['s3-region'],
      concurrency: args.concurrency,
      stallSeconds: args['s3-stall-seconds'],
    },
    env,
  );
}
