import { Auth0UsageError } from '../support/errors';

/**
 * An s3:// URL that names no bucket, or carries credentials. Checked before a run starts, as a usage error (nothing
 * was read); the message names the URL, but for one with credentials.
 */
export class S3UrlError extends Auth0UsageError {
  static override readonly code: string = 'ERR_S3_URL';
  static override readonly exitCode: 1 | 2 = 2;
}

/** A bucket and key prefix, as given by an `s3://bucket/prefix` URL. */
export interface S3Location {
  readonly bucket: string;
  /** Key prefix, taken literally (S3 keys are not percent-decoded); "" for the whole bucket. */
  readonly prefix: string;
}

const S3_SCHEME = 's3://';

export function isS3Url(input: string): boolean {
  return input.toLowerCase().startsWith(S3_SCHEME);
}

/** Parses `s3://bucket/prefix/`. The prefix is kept byte for byte, like the AWS CLI does. */
export function parseS3Url(url: string): S3Location {
  if (!isS3Url(url)) throw new S3UrlError(`not an s3:// URL: ${url}`);
  const rest = url.slice(S3_SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  // No bucket name holds '@': `s3://KEY:SECRET@bucket/` would otherwise be taken as a bucket and echoed in messages.
  if (bucket.includes('@')) {
    throw new S3UrlError('an s3:// URL must not contain credentials (user:password@): give them as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a profile');
  }
  const prefix = slash === -1 ? '' : rest.slice(slash + 1);
  // Bucket names are 3-63 chars of lowercase letters, digits, dots and hyphens; S3-compatible stores
  // are looser (underscores, capitals), so only reject what can never be a bucket.
  if (bucket === '' || /[\s/\\?#]/.test(bucket)) {
    throw new S3UrlError(`invalid S3 URL ${url}: expected s3://bucket/prefix`);
  }
  return { bucket, prefix };
}

/** `s3://bucket/key` for messages and object names. */
export function formatS3Url(bucket: string, key = ''): string {
  return `${S3_SCHEME}${bucket}/${key}`;
}
