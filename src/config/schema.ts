import { z } from 'zod';
import { compileAudiencePattern } from './audiencePattern';
import { canonicalTimeZone, isKnownTimeZone } from '../support/timeZone';

/** The categories the rollups count; each lists the event type codes that belong to it. */
export const CATEGORY_NAMES = [
  'login_success',
  'login_failure',
  'signup_success',
  'signup_failure',
  'breached_password',
  'm2m_token',
  'm2m_token_failure',
  'token_exchange',
  'token_exchange_failure',
] as const;
export type CategoryName = (typeof CATEGORY_NAMES)[number];

const typeCodes = z.array(z.string().min(1, 'type codes must be non-empty strings'));

// Compiled by RE2 (linear-time matching), so the syntax it accepts is RE2's: no backreferences or lookaround.
const regexSource = z.string().refine(
  (s) => {
    try {
      compileAudiencePattern(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid RE2 regular expression (backreferences and lookaround are not supported)' },
);

export const timezoneSchema = z
  .string()
  .refine((zone) => isKnownTimeZone(zone), { message: 'is not a known IANA time zone' });

/** Monthly limits of the metrics Auth0 bills; a metric left out has no limit. */
const quotaLimits = z
  .object({
    m2m_tokens_billable: z.number().int().positive().optional(),
    active_users: z.number().int().positive().optional(),
  })
  .strict();

/** Limits for every tenant, with per-tenant overrides under `tenants` (metric by metric). */
const quotasSchema = quotaLimits
  .extend({ tenants: z.record(z.string().min(1), quotaLimits).optional() })
  .strict();

/** An environment variable's name: letters, digits and underscores, not starting with a digit. */
const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name, e.g. ACME_PROD_AUTH0_SECRET');

/** `HOST` or `HOST:PORT`, no scheme or path: the SDK builds https://HOST[:PORT]/api/v2 and /oauth/token from it. */
export const auth0DomainSchema = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$/, 'must be a host name with an optional :PORT, e.g. acme-prod.us.auth0.com');

/** One tenant whose Management API statistics are read. The secret is named, never written here. */
const auth0TenantSchema = z
  .object({
    tenant: z.string().min(1),
    domain: auth0DomainSchema,
    clientId: z.string().min(1),
    clientSecretEnv: envVarName,
    // Named so its error says what to do instead of a bare "unrecognized key".
    clientSecret: z
      .never({ error: 'a client secret is never read from the config file: put it in an environment variable and name that variable in clientSecretEnv' })
      .optional(),
  })
  .strict();

/** Auth0 Management API statistics (stats/daily, stats/active-users) to compare with the logs. */
export const auth0ConfigSchema = z
  .object({
    tenants: z.array(auth0TenantSchema).default([]).refine(
      (tenants) => new Set(tenants.map((t) => t.tenant)).size === tenants.length,
      { message: 'tenant names must be unique' },
    ),
    /** How far (in percent of Auth0's figure) our count may be off and still be `within_tolerance`. */
    tolerancePercent: z.number().min(0).max(100).default(2),
    /**
     * The zone of the API's day boundary, which Auth0 does not document; UTC is assumed. Read as its one spelling
     * ('utc' → 'UTC'), as --timezone is: the state records it and every Auth0 summary carries it as `tz`.
     */
    statsTimezone: timezoneSchema.transform((zone) => canonicalTimeZone(zone)!).default('UTC'),
  })
  .strict();

/** The zone of Auth0's stats day boundary, by whose days the reconcile counts are kept (UTC when not configured). */
export function statsTimezoneOf(config: { auth0?: Pick<Auth0Config, 'statsTimezone'> }): string {
  return config.auth0?.statsTimezone ?? 'UTC';
}

export const configSchema = z
  .object({
    /** Tenant name for records that carry neither tenant_name nor hostname. */
    tenant: z.string().min(1),
    /** IANA zone for day buckets. */
    timezone: timezoneSchema,
    categories: z.object(
      Object.fromEntries(CATEGORY_NAMES.map((name) => [name, typeCodes])) as Record<CategoryName, typeof typeCodes>,
    ).strict(),
    /** Audiences (regular expressions) whose client-credentials tokens Auth0 does not bill. */
    nonBillableAudiences: z.array(regexSource),
    /** Monthly quota limits, e.g. {"m2m_tokens_billable": 1000000, "active_users": 7000, "tenants": {"prod": {...}}}. */
    quotas: quotasSchema.default({}),
    /** Percentages of a quota that raise the `threshold` of a quota summary. */
    quotaThresholds: z.array(z.number().positive().max(1000)).default([80, 100]),
    // prefault, not default: {} is parsed, so the defaults of auth0ConfigSchema's fields apply, stated there once.
    auth0: auth0ConfigSchema.prefault({}),
    splunk: z
      .object({
        source: z.string().min(1),
        sourcetype: z.string().min(1),
        index: z.string().min(1).optional(),
      })
      .strict(),
  })
  .strict();

export type UsageConfig = z.infer<typeof configSchema>;
export type Auth0Config = z.infer<typeof auth0ConfigSchema>;
