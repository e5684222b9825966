/**
 * Event dates. Auth0 writes `YYYY-MM-DDTHH:MM:SS.sssZ`; that exact shape is read from its characters (or bytes)
 * with Date.UTC, everything else goes through the general ISO 8601 path. Both give the same instant for the
 * fixed shape: the fast path accepts only what the general path accepts and reads it the same way.
 */

/** ISO 8601 calendar date, optionally with time and offset: the shapes Date.parse reads the same everywhere. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** A digit's value, or a number large enough to fail every range check below when the code is not a digit. */
const NOT_A_DIGIT = 100000;

/** Epoch ms of an ISO 8601 string, NaN otherwise. A date-time without an offset is read as UTC (Auth0 writes UTC;
 *  Date.parse would use the machine's zone). */
export function parseIsoDate(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  const fixed = fixedShapeMs(value);
  return fixed === fixed ? fixed : generalIsoDateMs(value);
}

/** The general path: any ISO 8601 shape the regex admits, checked against the calendar, then Date.parse. */
export function generalIsoDateMs(value: string): number {
  const match = ISO_8601.exec(value);
  if (match === null) return NaN;
  // Date.parse rolls 2024-02-30 over to March 1st; such a date is not ISO 8601.
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return NaN;
  if (month === 2 && day === 29 && !isLeapYear(year)) return NaN;
  return Date.parse(value.length > 10 && match[4] === undefined ? `${value}Z` : value);
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` read from a string; NaN when it has another shape (which may still be valid). */
function fixedShapeMs(s: string): number {
  if (s.length !== 24 || s.charCodeAt(23) !== 0x5a || s.charCodeAt(19) !== 0x2e) return NaN;
  if (!separatorsAt(s.charCodeAt(4), s.charCodeAt(7), s.charCodeAt(10), s.charCodeAt(13), s.charCodeAt(16))) return NaN;
  return utcMs(
    digitAt(s, 0) * 1000 + digitAt(s, 1) * 100 + digitAt(s, 2) * 10 + digitAt(s, 3),
    digitAt(s, 5) * 10 + digitAt(s, 6),
    digitAt(s, 8) * 10 + digitAt(s, 9),
    digitAt(s, 11) * 10 + digitAt(s, 12),
    digitAt(s, 14) * 10 + digitAt(s, 15),
    digitAt(s, 17) * 10 + digitAt(s, 18),
    digitAt(s, 20) * 100 + digitAt(s, 21) * 10 + digitAt(s, 22),
  );
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` read from buf[start, end) (string content without quotes); NaN otherwise. */
export function fixedShapeBytesMs(buf: Uint8Array, start: number, end: number): number {
  const s = start;
  if (end - s !== 24 || buf[s + 23] !== 0x5a || buf[s + 19] !== 0x2e) return NaN;
  if (!separatorsAt(buf[s + 4], buf[s + 7], buf[s + 10], buf[s + 13], buf[s + 16])) return NaN;
  return utcMs(
    digit(buf[s]) * 1000 + digit(buf[s + 1]) * 100 + digit(buf[s + 2]) * 10 + digit(buf[s + 3]),
    digit(buf[s + 5]) * 10 + digit(buf[s + 6]),
    digit(buf[s + 8]) * 10 + digit(buf[s + 9]),
    digit(buf[s + 11]) * 10 + digit(buf[s + 12]),
    digit(buf[s + 14]) * 10 + digit(buf[s + 15]),
    digit(buf[s + 17]) * 10 + digit(buf[s + 18]),
    digit(buf[s + 20]) * 100 + digit(buf[s + 21]) * 10 + digit(buf[s + 22]),
  );
}

function separatorsAt(dash1: number, dash2: number, t: number, colon1: number, colon2: number): boolean {
  return dash1 === 0x2d && dash2 === 0x2d && t === 0x54 && colon1 === 0x3a && colon2 === 0x3a;
}

function digitAt(s: string, at: number): number {
  return digit(s.charCodeAt(at));
}

function digit(c: number): number {
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : NOT_A_DIGIT;
}

/**
 * Date.UTC of the fields when they are a real instant the general path reads the same way, NaN otherwise (the
 * caller then takes the general path). Years below 100 are left to it (Date.UTC would read them as 19xx), as is
 * hour 24 (Date.parse accepts 24:00:00 as the next midnight).
 */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  if (year < 100 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return NaN;
  if (hour > 23 || minute > 59 || second > 59 || ms > 999) return NaN;
  if (month === 2 && day === 29 && !isLeapYear(year)) return NaN;
  return dayStartMs(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** The last day dayStartMs worked out: records come in runs of one day, and Date.UTC is a call into the runtime. */
let lastDay = -1;
let lastDayMs = 0;

/** Date.UTC(year, month - 1, day) of a valid date with year >= 100. */
function dayStartMs(year: number, month: number, day: number): number {
  const key = (year * 100 + month) * 100 + day;
  if (key !== lastDay) {
    lastDayMs = Date.UTC(year, month - 1, day);
    lastDay = key;
  }
  return lastDayMs;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}
