import { z } from 'zod';
import { IANAZone } from 'luxon';
import { compileAudiencePattern } from '../rollup/audiencePattern';

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
  .refine((zone) => IANAZone.isValidZone(zone), { message: 'is not a known IANA time zone' });

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
export type QuotaLimits = z.infer<typeof quotaLimits>;
