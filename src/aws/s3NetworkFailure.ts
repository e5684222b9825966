/** What an S3 client's failure says about the network and the service, for the source's and the state's messages alike. */

import { serverErrorText } from '../support/errorText';

/** No answer at all: the name does not resolve, or nothing listens there (unlike a connection lost midway). */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The errno-style code of a failure (`ECONNREFUSED`, `ERR_…`), '' when none: its `code`, else one its message names
 * (a network error the SDK had to re-wrap, one from another JS realm, keeps its code only there).
 */
export function networkCodeOf(error: { code?: string; message?: string }): string {
  return error.code ?? /\b(E[A-Z]{3,}|ERR_[A-Z_]+)\b/.exec(error.message ?? '')?.[1] ?? '';
}

/**
 * The message for a failure in UNREACHABLE_CODES: the endpoint (undefined: AWS's own), what was asked for when the
 * message does not say it already, and what to check.
 */
export function cannotReachText(endpoint: string | undefined, code: string, where?: string): string {
  return `cannot reach ${endpoint ?? 'the AWS S3 endpoint'}${where === undefined ? '' : ` for ${where}`}: ${code}; check --s3-endpoint / AWS_ENDPOINT_URL_S3 and the network`;
}

/** The message for a request whose response headers did not come within the stall timeout (isNoAnswer). */
export function noResponseText(endpoint: string | undefined, stallMs: number, where?: string): string {
  return `no response from ${endpoint ?? 'the AWS S3 endpoint'}${where === undefined ? '' : ` for ${where}`} within the stall timeout (${stallMs / 1000} s)`;
}

/** What the SDK says of a reply whose body it cannot read as S3's XML (an HTML page, a JSON answer). */
const NOT_AN_S3_REPLY = /^@aws-sdk XML parse error|Deserialization error/;

/**
 * The message for a reply that is not S3's (a web server, proxy or HEC at the endpoint), or undefined for another
 * failure: the SDK's own text (`… inspect the hidden field {error}.$response on this object`) speaks to a programmer.
 */
export function notAnS3ReplyText(facts: Pick<S3FailureFacts, 'status' | 'message'>, endpoint: string | undefined, where: string): string | undefined {
  if (!NOT_AN_S3_REPLY.test(facts.message)) return undefined;
  const fix = endpoint ? 'check that --s3-endpoint / AWS_ENDPOINT_URL_S3 is the S3 store' : 'check for a proxy (HTTPS_PROXY) between the job and S3';
  return `the reply of ${endpoint ?? 'the AWS S3 endpoint'} for ${where} is not an S3 reply${facts.status !== undefined ? ` (HTTP ${facts.status})` : ''}: ${fix}`;
}

/**
 * The message for the SDK's CredentialsProviderError (its chain found no credentials at all): what was asked for,
 * and where credentials may come from.
 */
export function noCredentialsText(where: string): string {
  return `no AWS credentials found for ${where}: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role`;
}

/** The fields of an SDK failure that messages are made of. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** An SDK failure as messages may use it; '' where it says nothing. */
export interface S3FailureFacts {
  /** The error's name as S3 names its codes (`InternalError`), 'Error' when too long to be one, '' when none. */
  readonly name: string;
  /** Its errno-style code (networkCodeOf). */
  readonly code: string;
  readonly status: number | undefined;
  /** The message, without the wrapper the SDK puts around an error of another realm. */
  readonly message: string;
}

export function s3FailureFacts(err: unknown): S3FailureFacts {
  const e: SdkErrorShape = typeof err === 'object' && err !== null ? (err as SdkErrorShape) : { message: String(err) };
  // The error code comes from the response body too: a name longer than any S3 code is not trusted as one.
  const name = e.name !== undefined && /^\w{1,64}$/.test(e.name) ? e.name : e.name === undefined ? '' : 'Error';
  const message = (e.message ?? '').replace(/^AWS SDK error wrapper for (\w*Error: )?/, '');
  return { name, code: networkCodeOf(e), status: e.$metadata?.httpStatusCode, message };
}

const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'TooManyRequests']);
const TRANSIENT_NAMES = new Set(['InternalError', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
/** The connection went away under the request: reset, closed or aborted by the other end. */
const CONNECTION_BROKEN = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const CONNECTION_LOST = new Set([...CONNECTION_BROKEN, 'ETIMEDOUT']);

/**
 * No answer came in time. The SDK also names a reset or broken pipe TimeoutError (so that its retries take it as
 * transient): that one is a connection lost (transientFailureText), not a wait for an answer that never came.
 */
export function isNoAnswer(facts: S3FailureFacts): boolean {
  return facts.name === 'TimeoutError' && !CONNECTION_BROKEN.has(facts.code);
}

/**
 * Why a request failed that a later attempt may get through, said without the request: `HTTP 500 InternalError`,
 * `HTTP 503 SlowDown`, `ECONNRESET`; undefined for any other failure.
 */
export function transientFailureText(facts: S3FailureFacts): string | undefined {
  const { name, code, status } = facts;
  if (!(THROTTLING.has(name) || TRANSIENT_NAMES.has(name) || (status !== undefined && TRANSIENT_STATUS.has(status)) || CONNECTION_LOST.has(code))) return undefined;
  return status !== undefined ? `HTTP ${status}${name ? ` ${name}` : ''}` : code || name || 'transient failure';
}

/** What the service said, cut short and redacted (serverErrorText): `HTTP 403 SignatureDoesNotMatch: …`; '' when nothing. */
export function serviceFailureText(facts: S3FailureFacts): string {
  const said = serverErrorText([facts.name === 'Error' ? '' : facts.name, facts.code].filter(Boolean).join(' '), facts.message);
  return [facts.status !== undefined ? `HTTP ${facts.status}` : '', said].filter(Boolean).join(' ');
}
