/**
 * Day pruning for archives laid out by date, e.g. Firehose's default `YYYY/MM/DD/HH/` key prefix (S3 keys, and
 * local copies of them).
 * Firehose names a key by the *arrival* time of its oldest record, so events close to midnight land in
 * the neighbouring day's folder: the window is widened by one day on each side.
 */

/** Inclusive calendar-day bounds, `YYYY-MM-DD`; either may be left open. */
export interface DayRange {
  readonly from?: string;
  readonly to?: string;
}

const DAY_MS = 86_400_000;
// A `YYYY/MM/DD` run of whole path segments; the day segment ends the key or is followed by `/`.
const DATE_SEGMENTS = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})(?=\/|$)/g;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of 00:00 UTC on a valid calendar date, else undefined (rejects 2024/02/30, 2024/13/01). */
function utcDay(year: number, month: number, day: number): number | undefined {
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? ms : undefined;
}

/** The first valid `YYYY/MM/DD` path date in a key, as epoch ms of that UTC day, or undefined. */
export function keyDayMs(key: string): number | undefined {
  for (const m of key.matchAll(DATE_SEGMENTS)) {
    const ms = utcDay(Number(m[1]), Number(m[2]), Number(m[3]));
    if (ms !== undefined) return ms;
  }
  return undefined;
}

function parseIsoDay(value: string, label: string): number {
  const m = ISO_DAY.exec(value);
  const ms = m ? utcDay(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  if (ms === undefined) throw new RangeError(`${label} must be a date as YYYY-MM-DD, got "${value}"`);
  return ms;
}

/**
 * A predicate telling whether a key should be read: keys with a date path are kept from one day
 * before `from` to one day after `to`; keys without one are always kept.
 */
export function dayRangeFilter(range: DayRange | undefined): (key: string) => boolean {
  const fromMs = range?.from === undefined ? undefined : parseIsoDay(range.from, 'from');
  const toMs = range?.to === undefined ? undefined : parseIsoDay(range.to, 'to');
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw new RangeError(`from (${range?.from}) is after to (${range?.to})`);
  const low = fromMs === undefined ? -Infinity : fromMs - DAY_MS;
  const high = toMs === undefined ? Infinity : toMs + DAY_MS;
  if (low === -Infinity && high === Infinity) return () => true;
  return (key) => {
    const day = keyDayMs(key);
    return day === undefined || (day >= low && day <= high);
  };
}
