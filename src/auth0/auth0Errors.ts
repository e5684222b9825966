/**
 * Why reading a tenant's Management API statistics failed. Each class has a stable `code` for logs and
 * run events; messages are one line and never carry the client secret or a token.
 */

export type Auth0ErrorCode =
  | 'auth0_config'
  | 'auth0_credentials_rejected'
  | 'auth0_missing_scope'
  | 'auth0_token_rejected'
  | 'auth0_rate_limited'
  | 'auth0_server_error'
  | 'auth0_unreachable'
  | 'auth0_tls'
  | 'auth0_bad_response';

export abstract class Auth0Error extends Error {
  abstract readonly code: Auth0ErrorCode;
}

/** Auth0 settings that cannot work as given (flags, config, a missing secret variable): a usage error. */
export class Auth0ConfigError extends Auth0Error {
  override readonly name = 'Auth0ConfigError';
  readonly code = 'auth0_config';
}

/** Failures talking to one tenant. */
export abstract class Auth0TenantError extends Auth0Error {
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
  override readonly name = 'Auth0CredentialsError';
  readonly code = 'auth0_credentials_rejected';
}

/** The token was issued without `read:stats`. */
export class Auth0ScopeError extends Auth0TenantError {
  override readonly name = 'Auth0ScopeError';
  readonly code = 'auth0_missing_scope';
}

/** The Management API refused the token it was given (401). */
export class Auth0TokenRejectedError extends Auth0TenantError {
  override readonly name = 'Auth0TokenRejectedError';
  readonly code = 'auth0_token_rejected';
}

/** Still 429 after every retry. */
export class Auth0RateLimitError extends Auth0TenantError {
  override readonly name = 'Auth0RateLimitError';
  readonly code = 'auth0_rate_limited';
}

/** Still 5xx after every retry. */
export class Auth0ServerError extends Auth0TenantError {
  override readonly name = 'Auth0ServerError';
  readonly code = 'auth0_server_error';
}

/** No answer (refused, reset, DNS, timeout) after every retry. */
export class Auth0UnreachableError extends Auth0TenantError {
  override readonly name = 'Auth0UnreachableError';
  readonly code = 'auth0_unreachable';
}

/** The tenant's certificate is not trusted; never retried. */
export class Auth0TlsError extends Auth0TenantError {
  override readonly name = 'Auth0TlsError';
  readonly code = 'auth0_tls';
}

/** An answer this client does not understand (other 4xx, a body of the wrong shape). */
export class Auth0ResponseError extends Auth0TenantError {
  override readonly name = 'Auth0ResponseError';
  readonly code = 'auth0_bad_response';
}
