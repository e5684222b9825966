/**
 * Why reading a tenant's Management API statistics failed. Each class has a stable `code` for logs and
 * run events; messages are one line and never carry the client secret or a token.
 */

import { Auth0UsageError } from '../support/errors';

export abstract class Auth0Error extends Auth0UsageError {
  static override readonly code: string = 'ERR_AUTH0';
}

/** Auth0 settings that cannot work as given (flags, config, a missing secret variable): a usage error. */
export class Auth0ConfigError extends Auth0Error {
  static override readonly code: string = 'ERR_AUTH0_CONFIG';
  static override readonly exitCode: 1 | 2 = 2;
}

/** Failures talking to one tenant. */
export abstract class Auth0TenantError extends Auth0Error {
  static override readonly code: string = 'ERR_AUTH0_TENANT';
  constructor(
    readonly tenant: string,
    /** The message without the tenant, for output that names the tenant already. */
    public detail: string,
  ) {
    super(`tenant ${tenant}: ${detail}`);
  }
}

/** The token endpoint refused the client id and secret, or the application may not call the Management API. */
export class Auth0CredentialsError extends Auth0TenantError {
  static override readonly code: string = 'ERR_AUTH0_CREDENTIALS';
}

/** The token was issued without `read:stats`. */
export class Auth0ScopeError extends Auth0TenantError {
  static override readonly code: string = 'ERR_AUTH0_SCOPE';
}

/** The Management API refused the token it was given (401). */
export class Auth0TokenRejectedError extends Auth0TenantError {
  static override readonly code: string = 'ERR_AUTH0_TOKEN_REJECTED';
}

/** Still 429 after every retry. */
export class Auth0RateLimitError extends Auth0TenantError {
  static override readonly code: string = 'ERR_AUTH0_RATE_LIMITED';
}

/** Still 5xx after every retry. */
export class Auth0ServerError extends Auth0TenantError {
  static override readonly code: string = 'ERR_AUTH0_SERVER';
}

/** No answer (refused, reset, DNS, timeout) after every retry. */
export class Auth0UnreachableError extends Auth0TenantError {
  static override readonly code: string = 'ERR_AUTH0_UNREACHABLE';
}

/** The tenant's certificate is not trusted; never retried. */
export class Auth0TlsError extends Auth0TenantError {
  static override readonly code: string = 'ERR_AUTH0_TLS';
}

/** An answer this client does not understand (other 4xx, a body of the wrong shape). */
export class Auth0ResponseError extends Auth0TenantError {
  static override readonly code: string = 'ERR_AUTH0_RESPONSE';
}

/** A wrong secret, a missing read:stats or a refused token: the settings are wrong, not the tenant unreachable. */
export function isAuth0CredentialsError(err: unknown): boolean {
  return err instanceof Auth0CredentialsError || err instanceof Auth0ScopeError || err instanceof Auth0TokenRejectedError;
}
