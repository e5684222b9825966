/**
 * What an error thrown by the `auth0` SDK means for one call: retry it (429, 5xx, no answer) or give up
 * with one of our Auth0TenantError classes. The SDK's own messages embed whole bodies on several lines;
 * ours say what happened and what to do, on one line.
 */
import { ManagementError, ManagementTimeoutError } from 'auth0';
import { redactSecrets } from '../support/errorText';
import { isTlsFailure, tlsFailureKind } from '../support/tlsFailure';
import {
  Auth0CredentialsError,
  Auth0RateLimitError,
  Auth0ResponseError,
  Auth0ScopeError,
  Auth0ServerError,
  Auth0TlsError,
  Auth0TokenRejectedError,
  Auth0TenantError,
  Auth0UnreachableError,
} from './auth0Errors';

export interface FailureContext {
  tenant: string;
  domain: string;
  clientSecretEnv: string;
  /** The API call, e.g. `GET /api/v2/stats/daily`. */
  call: string;
  /**
   * Removes what must never be shown (the client secret) from a server's text, before it is cut short: a cut
   * through the secret would leave its first characters where a whole-secret replacement no longer finds them.
   */
  redact?: (text: string) => string;
}

export type Auth0Failure =
  | { retryable: false; error: Auth0TenantError }
  | { retryable: true; rateLimit?: RateLimitHeaders; error: (attempts: number) => Auth0TenantError };

/** The headers of a 429 that say when to try again. */
export interface RateLimitHeaders {
  retryAfter: string | null;
  reset: string | null;
}

/** The parts of the SDK's ManagementError this reads (its classes differ between the token and API paths). */
interface SdkError {
  message?: string;
  statusCode?: number;
  body?: unknown;
  rawResponse?: { headers?: { get(name: string): string | null } };
  cause?: unknown;
  name?: string;
}

/**
 * `code: text` from either of Auth0's error bodies ({error, error_description} or {error, message, errorCode}).
 * A server may echo what it was sent (the client secret, the `Bearer` access token): `redact` and anything shaped
 * like a credential are removed before the text is cut short.
 */
export function describeErrorBody(body: unknown, redact: (text: string) => string = (text) => text): string {
  const safe = (text: string) => oneLine(redactSecrets(redact(text)));
  if (typeof body === 'string') return safe(body);
  if (typeof body !== 'object' || body === null) return '';
  const b = body as Record<string, unknown>;
  const code = [b.errorCode, b.error].find((v) => typeof v === 'string') as string | undefined;
  const text = [b.error_description, b.message].find((v) => typeof v === 'string') as string | undefined;
  return safe([code, text].filter(Boolean).join(': '));
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** The first errno-style code down the cause chain (fetch wraps socket errors in TypeError('fetch failed')). */
function causeCode(error: unknown): { code?: string; message: string } {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return { code, message: String((current as Error).message ?? '') };
    current = (current as { cause?: unknown }).cause;
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

function withDetail(status: number, body: unknown, ctx: FailureContext): string {
  const detail = describeErrorBody(body, ctx.redact);
  return detail ? `${status} ${detail}` : String(status);
}

function noAnswer(error: unknown, ctx: FailureContext, what: string): Auth0Failure {
  const { code, message } = causeCode(error);
  const target = `https://${ctx.domain}`;
  if (code && isTlsFailure(code, message)) {
    const detail: Record<ReturnType<typeof tlsFailureKind>, string> = {
      untrusted: `the TLS certificate of ${target} is not trusted (${code}): point NODE_EXTRA_CA_CERTS at its CA file`,
      'wrong-name': `the TLS certificate of ${target} is not issued for that host name (${code}): use the tenant's own domain (the name on its certificate)`,
      'out-of-date': `the TLS certificate of ${target} is not valid now (${code}): check this machine's clock, or the certificate of whatever answers for that host`,
      handshake: `the TLS handshake with ${target} failed (${code})`,
    };
    return { retryable: false, error: new Auth0TlsError(ctx.tenant, detail[tlsFailureKind(code)]) };
  }
  const reason = code ?? (/timed? ?out/i.test(message) ? 'timeout' : 'no answer');
  return {
    retryable: true,
    error: (attempts) => new Auth0UnreachableError(ctx.tenant, `cannot reach ${target} for ${what} (${reason}) after ${attempts} attempts`),
  };
}

/** Failures of POST /oauth/token, which the SDK makes itself before the first API call. */
function tokenFailure(error: SdkError, ctx: FailureContext): Auth0Failure {
  const status = error.statusCode;
  const what = 'the token request';
  if (status === 408 || status === undefined) return noAnswer(error, ctx, what);
  if (status === 401) {
    return {
      retryable: false,
      error: new Auth0CredentialsError(
        ctx.tenant,
        `the token request was refused (${withDetail(status, error.body, ctx)}): check the client id and the secret in ${ctx.clientSecretEnv}`,
      ),
    };
  }
  if (status === 403) {
    return {
      retryable: false,
      error: new Auth0CredentialsError(
        ctx.tenant,
        `the application may not call the Management API (${withDetail(status, error.body, ctx)}): authorize it for the Auth0 Management API with read:stats`,
      ),
    };
  }
  return statusFailure(status, error.body, undefined, ctx, what);
}

function statusFailure(status: number, body: unknown, rateLimit: RateLimitHeaders | undefined, ctx: FailureContext, what: string): Auth0Failure {
  if (status === 429) {
    return {
      retryable: true,
      ...(rateLimit ? { rateLimit } : {}),
      error: (attempts) => new Auth0RateLimitError(ctx.tenant, `still rate limited (429) on ${what} after ${attempts} attempts`),
    };
  }
  if (status >= 500) {
    return {
      retryable: true,
      error: (attempts) => new Auth0ServerError(ctx.tenant, `server error ${withDetail(status, body, ctx)} on ${what} after ${attempts} attempts`),
    };
  }
  return { retryable: false, error: new Auth0ResponseError(ctx.tenant, `${what} answered ${withDetail(status, body, ctx)}`) };
}

export function classifyAuth0Failure(thrown: unknown, ctx: FailureContext): Auth0Failure {
  // Already ours: the stats client's check of a 2xx token answer (not JSON, no access token), which the SDK lets through.
  if (thrown instanceof Auth0TenantError) return { retryable: false, error: thrown };
  const error = (thrown ?? {}) as SdkError;
  if (thrown instanceof ManagementTimeoutError) return noAnswer(thrown, ctx, ctx.call);
  // The SDK's token provider lets fetch's own errors through unwrapped, and labels its HTTP failures so.
  if (!(thrown instanceof ManagementError) || error.message?.startsWith('ManagementClient: token request')) return tokenFailure(error, ctx);
  const status = error.statusCode;
  if (status === undefined) return noAnswer(error.cause ?? error, ctx, ctx.call);
  if (status === 401) {
    return { retryable: false, error: new Auth0TokenRejectedError(ctx.tenant, `${ctx.call} refused the token (${withDetail(status, error.body, ctx)})`) };
  }
  if (status === 403) {
    return {
      retryable: false,
      error: new Auth0ScopeError(
        ctx.tenant,
        `${ctx.call} was refused (${withDetail(status, error.body, ctx)}): grant read:stats to the application ` +
          '(Auth0 dashboard: Applications → APIs → Auth0 Management API → Machine to Machine Applications)',
      ),
    };
  }
  const headers = error.rawResponse?.headers;
  const rateLimit = headers ? { retryAfter: headers.get('retry-after'), reset: headers.get('x-ratelimit-reset') } : undefined;
  return statusFailure(status, error.body, rateLimit, ctx, ctx.call);
}
