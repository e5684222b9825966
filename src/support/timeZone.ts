import { IANAZone } from 'luxon';

// "UTC" and "GMT" in any case: luxon's own fixed UTC zone, and Intl's "UTC" (Node 20, 22 and 24 alike). They are
// answered without asking Intl, whose first use loads the time-zone data: 20–30 ms of every run's start-up, and a
// run in UTC (the default) needs Intl nowhere else.
const UTC_NAMES = /^(?:utc|gmt)$/i;

/** Whether `zone` names an IANA time zone luxon can use. */
export function isKnownTimeZone(zone: string): boolean {
  return UTC_NAMES.test(zone) || IANAZone.isValidZone(zone);
}

/** One spelling per zone ('utc' → 'UTC', 'europe/berlin' → 'Europe/Berlin'); null when the zone is not known. */
export function canonicalTimeZone(zone: string): string | null {
  if (UTC_NAMES.test(zone)) return 'UTC';
  if (!IANAZone.isValidZone(zone)) return null;
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}
