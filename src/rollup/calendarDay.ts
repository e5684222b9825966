/**
 * Arithmetic on day labels (`YYYY-MM-DD`). A label is a calendar date, whatever zone it was cut in, so
 * UTC date math on it is exact: no DST day is 23 or 25 hours long here.
 */

const DAY_MS = 86_400_000;

function utcMs(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
}

function label(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Answers of addDays, by day and then by n: the summary pass asks the same few for each of thousands of tenants. */
const shifted = new Map<string, Map<number, string>>();
const SHIFTED_DAYS_KEPT = 4096;

/** The day `n` days after `day` (before it for negative `n`). */
export function addDays(day: string, n: number): string {
  let byN = shifted.get(day);
  if (byN === undefined) {
    if (shifted.size >= SHIFTED_DAYS_KEPT) shifted.clear();
    byN = new Map();
    shifted.set(day, byN);
  }
  let result = byN.get(n);
  if (result === undefined) {
    result = label(utcMs(day) + n * DAY_MS);
    byN.set(n, result);
  }
  return result;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcMs(to) - utcMs(from)) / DAY_MS);
}

/** `YYYY-MM` of a day. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** The first day of the day's month. */
export function firstOfMonth(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** 1 for the first of the month. */
export function dayOfMonth(day: string): number {
  return Number(day.slice(8, 10));
}

export function daysInMonth(day: string): number {
  return new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 0)).getUTCDate();
}

/** The last day of the day's month. */
export function lastOfMonth(day: string): string {
  return `${day.slice(0, 7)}-${String(daysInMonth(day)).padStart(2, '0')}`;
}

/** The earlier of two labels (labels sort as text). */
export function earlierDay(a: string, b: string): string {
  return a < b ? a : b;
}

/** The later of two labels. */
export function laterDay(a: string, b: string): string {
  return a > b ? a : b;
}
