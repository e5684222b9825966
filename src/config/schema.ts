import { z } from 'zod';
import { IANAZone } from 'luxon';

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

const regexSource = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

export const timezoneSchema = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), { message: 'is not a known IANA time zone' });

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
