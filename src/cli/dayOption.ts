import { DateTime } from 'luxon';
import { UsageError } from './usageError';

/** Checks a `--from`/`--to` value: a real calendar day written YYYY-MM-DD. */
export function parseDayOption(flag: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new UsageError(`--${flag} must be a day written YYYY-MM-DD, got '${text}'`);
  // Written right, but not in the calendar (2024-02-30, 2023-02-29, month 13): say so, not that the form is wrong.
  if (!DateTime.fromISO(text, { zone: 'UTC' }).isValid) throw new UsageError(`--${flag} ${text} is not a day of the calendar`);
  return text;
}
