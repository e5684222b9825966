import { Auth0UsageError } from '../support/errors';
import { redactSecrets } from '../support/errorText';
import { DEFAULT_CONCURRENCY, DEFAULT_STALL_SECONDS, type S3ClientOptions } from './s3ClientOptions';

/** An S3 setting that cannot work (an endpoint that is not an http(s) URL). Nothing was read. */
export class S3ConfigError extends Auth0UsageError {
  static override readonly code: string = 'ERR_S3_CONFIG';
  static override readonly exitCode: 1 | 2 = 2;
}

/** Checks an endpoint URL (`--s3-endpoint`, AWS_ENDPOINT_URL_S3); `label` names where it came from. */
export function checkS3Endpoint(value: string, label = '--s3-endpoint'): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new S3ConfigError(`${label} must be an http:// or https:// URL, got "${redactSecrets(value)}"`);
  }
  // Refused rather than stripped: credentials in a URL end up in shell history, process lists and CronJob specs,
  // and S3 does not take them from there anyway. The message does not repeat them.
  if (url.username || url.password) {
    throw new S3ConfigError(`${label} must not contain credentials (user:password@): give them as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a profile`);
  }
  // S3 takes nothing from an endpoint's query string, and one may carry a token (X-Amz-Security-Token=…) that every
  // message naming the endpoint would then repeat: refused, as --hec-url refuses one, without echoing it.
  if (url.search || url.hash) throw new S3ConfigError(`${label} must not have a query string or fragment`);
  return value;
}

// The SDK's own test of a region (a host-name label), which it applies only at the first request, where its words
// ("Region not accepted: region="" is not a valid hostname component") name neither the flag nor the variable.
const REGION = /^(?!.*-$)(?!-)[a-zA-Z0-9-]{1,63}$/;

/**
 * Refuses a region the SDK would refuse, naming where it came from: `--s3-region` when given, else AWS_REGION when
 * set (the SDK reads it, even empty). Checked when an S3 client is made, so a local run ignores a stray AWS_REGION.
 */
export function checkS3Region(region: string | undefined, env: NodeJS.ProcessEnv): void {
  const [value, label] = region !== undefined ? [region, '--s3-region'] : [env.AWS_REGION, 'AWS_REGION'];
  if (value === undefined || REGION.test(value)) return;
  if (value === '') throw new S3ConfigError(`${label} is set but empty: set it to the bucket's region (such as eu-west-1) or unset it`);
  throw new S3ConfigError(`${label} must be a region name such as eu-west-1, got "${redactSecrets(value)}"`);
}

/**
 * How to reach S3, resolved once from what was given and the environment: the endpoint from AWS_ENDPOINT_URL_S3
 * when none was given; the region us-east-1 for an S3-compatible endpoint when neither it nor AWS_REGION is set
 * (such stores mostly sign as us-east-1), else left to the SDK chain (AWS_REGION, profile). Credentials are
 * always left to the SDK chain (env keys, AWS_PROFILE / SSO, web identity, container and instance roles).
 */
export function resolveS3Config(given: S3ClientOptions, env: NodeJS.ProcessEnv): S3ClientOptions {
  const fromEnv = env.AWS_ENDPOINT_URL_S3 ? checkS3Endpoint(env.AWS_ENDPOINT_URL_S3, 'AWS_ENDPOINT_URL_S3') : undefined;
  const endpoint = given.endpoint ?? fromEnv;
  return {
    ...given,
    endpoint,
    forcePathStyle: given.forcePathStyle ?? false,
    region: given.region || (endpoint && !env.AWS_REGION ? 'us-east-1' : undefined),
    concurrency: given.concurrency ?? DEFAULT_CONCURRENCY,
    stallSeconds: given.stallSeconds ?? DEFAULT_STALL_SECONDS,
  };
}
