/**
 * One tenant to query, with its client secret. The secret sits in a private field, so JSON.stringify,
 * util.inspect and spread copies of a tenant never show it; only the stats client reads it.
 */
export class Auth0Tenant {
  readonly #clientSecret: string;

  constructor(
    /** The name our summaries carry for this tenant. */
    readonly tenant: string,
    /** `HOST` or `HOST:PORT`. */
    readonly domain: string,
    readonly clientId: string,
    /** The environment variable the secret came from, for messages. */
    readonly clientSecretEnv: string,
    clientSecret: string,
  ) {
    this.#clientSecret = clientSecret;
  }

  clientSecret(): string {
    return this.#clientSecret;
  }
}
