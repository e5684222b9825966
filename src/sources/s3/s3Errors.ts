import { InputError, InputGoneError } from '../inputObject';
import { Auth0UsageError } from '../../support/errors';
import { MAX_ERROR_TEXT, redactSecrets } from '../../support/errorText';
import { cannotReachText, isNoAnswer, noCredentialsText, noResponseText, notAnS3ReplyText, s3FailureFacts, serviceFailureText, transientFailureText, UNREACHABLE_CODES } from '../../aws/s3NetworkFailure';

/**
 * A read of one S3 object that failed in a way a fresh attempt may fix. The orchestrator re-opens the
 * object from its first byte (see `isRetryableReadError`), because the SDK's own retries stop once the
 * response headers have arrived.
 */
export class S3ReadError extends Auth0UsageError {
  static override readonly code: string = 'ERR_S3_READ';
  readonly retryable = true;
  /** What went wrong without the name (`HTTP 500 InternalError`, `ECONNRESET`): for a message that names it itself. */
  readonly reason: string;
  constructor(
    message: string,
    /** `s3://bucket/key` of the object being read. */
    readonly objectName: string,
    options?: { cause?: unknown; reason?: string },
  ) {
    super(message, options);
    this.reason = options?.reason ?? message;
  }
}

/** No bytes arrived for the stall timeout: the connection is alive but the body stopped flowing. */
export class S3StallError extends S3ReadError {
  static override readonly code: string = 'ERR_S3_STALL';
}

/** The body broke part-way (connection reset, premature close, checksum mismatch). */
export class S3BodyError extends S3ReadError {
  static override readonly code: string = 'ERR_S3_BODY';
}

/** The request failed transiently (5xx, throttling, network) after the SDK's own retries. */
export class S3RequestError extends S3ReadError {
  static override readonly code: string = 'ERR_S3_REQUEST';
}

/**
 * Whole re-reads, from the first byte, of an S3 body that stalled or broke part-way (isRetryableReadError): the SDK's
 * own retries end with the headers. An input object gets them (readObjects), and so does a state file.
 */
export const WHOLE_READ_RETRIES = 3;

/** Whether re-opening the object may succeed where this attempt failed. */
export function isRetryableReadError(err: unknown): boolean {
  return err instanceof S3ReadError;
}

/** What we were doing when an SDK call failed, for the message. */
export interface S3FailureContext {
  readonly operation: 'list' | 'get';
  /** `s3://bucket/prefix` for a listing, `s3://bucket/key` for a read. */
  readonly url: string;
  readonly bucket: string;
  /** The configured endpoint, when not AWS's own. */
  readonly endpoint?: string;
  /** The stall timeout a request waited for its response headers, said with a stall. */
  readonly stallMs: number;
}

const REGION_MISMATCH = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException']);

/**
 * Turns an SDK failure into either an `InputError` with one line naming the bucket/key and the likely
 * cause, or a retryable `S3ReadError`. Messages are built from error codes and the service's own
 * text, never from the request; the service's text is cut short and redacted (see errorText), since an endpoint
 * may echo the request's signed headers back in it.
 */
export function describeS3Failure(err: unknown, ctx: S3FailureContext): Error {
  const facts = s3FailureFacts(err);
  const { name, code, status, message } = facts;
  const where = ctx.url;
  const endpoint = ctx.endpoint ?? 'the AWS S3 endpoint';
  const input = (text: string) => new InputError(text, { cause: err });

  if (isNoAnswer(facts)) {
    return new S3StallError(noResponseText(ctx.endpoint, ctx.stallMs, where), where, { cause: err });
  }
  const why = transientFailureText(facts);
  if (why !== undefined) {
    return new S3RequestError(`${ctx.operation === 'list' ? 'listing' : 'reading'} ${where} failed: ${why}`, where, { cause: err, reason: why });
  }
  if (UNREACHABLE_CODES.has(code)) {
    const message = cannotReachText(endpoint, code, where);
    // A read whose listing already succeeded is a network blip worth retrying.
    return ctx.operation === 'get' ? new S3RequestError(message, where, { cause: err }) : input(message);
  }
  if (/CERT|SSL|TLS/.test(code) || /certificate/i.test(message)) {
    return input(`the TLS certificate of ${endpoint} is not trusted (${code || redactSecrets(message).slice(0, MAX_ERROR_TEXT)}) for ${where}: point NODE_EXTRA_CA_CERTS at its CA file`);
  }
  switch (name) {
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'Forbidden':
      return ctx.operation === 'list'
        ? input(`access denied to ${where}: check the credentials and that the role allows s3:ListBucket on the bucket`)
        : input(`access denied to ${where}: check that the role allows s3:GetObject on the prefix (and kms:Decrypt for KMS-encrypted objects)`);
    case 'NoSuchBucket':
      return input(`no such bucket: s3://${ctx.bucket}/ (check the bucket name${ctx.endpoint ? ' and --s3-endpoint' : ''})`);
    case 'NoSuchKey':
      // Only a read finds a key gone: a listing says nothing of keys it does not hold.
      return ctx.operation === 'get' ? new InputGoneError(`${where} no longer exists (deleted after it was listed?)`, { cause: err }) : input(`${where} no longer exists`);
    case 'InvalidObjectState':
      // 403 on GetObject of an object a lifecycle rule moved to Glacier / Deep Archive and that is not restored.
      return input(`${where} is archived in a storage class that must be restored before it can be read (S3 says InvalidObjectState)`);
    case 'InvalidAccessKeyId':
      return input(`credentials rejected for ${where}: the access key id is unknown to ${endpoint}; check AWS_PROFILE / AWS_ACCESS_KEY_ID`);
    case 'SignatureDoesNotMatch':
      return input(`credentials rejected for ${where}: the request signature does not match; check the secret access key paired with the access key id`);
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
    case 'InvalidToken':
      return input(`credentials for ${where} have expired or the session token is invalid: refresh them (e.g. aws sso login)`);
    case 'CredentialsProviderError':
      return input(noCredentialsText(where));
  }
  if (REGION_MISMATCH.has(name) || status === 301) {
    return input(`${where} is in a different region than the one configured: pass --s3-region`);
  }
  if (/region is missing/i.test(message)) {
    return input(`no AWS region set for ${where}: pass --s3-region or set AWS_REGION`);
  }
  if (status === 403) {
    return input(`access denied to ${where} (HTTP 403): check the credentials and the role's S3 permissions`);
  }
  const notS3 = notAnS3ReplyText(facts, ctx.endpoint, where);
  if (notS3 !== undefined) return input(notS3);
  return input(`cannot ${ctx.operation === 'list' ? 'list' : 'read'} ${where}: ${serviceFailureText(facts) || 'unknown error'}`);
}
