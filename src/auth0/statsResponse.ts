/** The shapes of `GET /api/v2/stats/daily` and `GET /api/v2/stats/active-users`, checked before use. */
import { z } from 'zod';
import { redactSecrets } from '../support/errorText';

const count = z.number().int().nonnegative();

/** One row of stats/daily, fields as Auth0 returns them, plus `day` (YYYY-MM-DD of `date`). */
const dailyRow = z
  .object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'must start with YYYY-MM-DD'),
    logins: count,
    signups: count,
    // Only with a breached-password subscription; absent means "not counted", not zero.
    leaked_passwords: count.nullish(),
    updated_at: z.string().nullish(),
    created_at: z.string().nullish(),
  })
  .loose();

export interface DailyStatsRow {
  day: string;
  date: string;
  logins: number;
  signups: number;
  leaked_passwords?: number;
  updated_at?: string;
  created_at?: string;
}

/** The rows, or a one-line reason they are not rows. */
export function parseDailyStats(body: unknown): DailyStatsRow[] | string {
  const parsed = z.array(dailyRow).safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `stats/daily answered an unexpected body (${issue.path.join('.') || 'top level'}: ${issue.message})`;
  }
  return parsed.data.map((row) => ({
    day: row.date.slice(0, 10),
    date: row.date,
    logins: row.logins,
    signups: row.signups,
    ...(row.leaked_passwords == null ? {} : { leaked_passwords: row.leaked_passwords }),
    ...(row.updated_at == null ? {} : { updated_at: row.updated_at }),
    ...(row.created_at == null ? {} : { created_at: row.created_at }),
  }));
}

/**
 * The count, or a one-line reason it is not one. The body's text is cut short: `redact` (the client secret) and
 * anything shaped like a credential are removed first, or a secret across the cut would keep its first characters.
 */
export function parseActiveUsers(body: unknown, redact: (text: string) => string = (text) => text): number | string {
  const parsed = count.safeParse(body);
  return parsed.success ? parsed.data : `stats/active-users answered ${redactSecrets(redact(JSON.stringify(body) ?? String(body))).slice(0, 80)}, not a count`;
}
