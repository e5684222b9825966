/**
 * `auth0-check`'s work: for each tenant, one stats/active-users call, which needs a token (client id and
 * secret accepted) with read:stats; the call's failure says which of the three went wrong.
 */
import { Auth0TenantError } from './auth0Errors';
import { createAuth0StatsClient, type Auth0StatsClientOptions } from './auth0StatsClient';
import type { Auth0Tenant } from './auth0Tenant';

export interface Auth0TenantCheck {
  tenant: string;
  domain: string;
  ok: boolean;
  /** The error's code when the check failed. */
  code?: string;
  detail: string;
}

/** A check should answer soon: two retries (1 s, 2 s) rather than a run's four. */
const CHECK_ATTEMPTS = 3;

export async function checkAuth0Tenants(tenants: readonly Auth0Tenant[], options: Auth0StatsClientOptions = {}): Promise<Auth0TenantCheck[]> {
  const checks: Auth0TenantCheck[] = [];
  for (const tenant of tenants) {
    const client = createAuth0StatsClient(tenant, { ...options, retry: { attempts: CHECK_ATTEMPTS, ...options.retry } });
    try {
      const activeUsers = await client.activeUsers();
      checks.push({
        tenant: tenant.tenant,
        domain: tenant.domain,
        ok: true,
        detail: `token issued, read:stats granted, stats/active-users answered ${activeUsers}`,
      });
    } catch (err) {
      if (!(err instanceof Auth0TenantError)) throw err;
      checks.push({ tenant: tenant.tenant, domain: tenant.domain, ok: false, code: err.code, detail: err.detail });
    }
  }
  return checks;
}
