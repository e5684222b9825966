import { DateTime } from 'luxon';
import { Auth0UsageError } from '../support/errors';

/** One local calendar day: [local midnight, next local midnight), so 23 or 25 hours long on DST days. */
export interface DayRange {
  /** YYYY-MM-DD in the zone. */
  readonly day: string;
  /** First instant of the day, epoch milliseconds. */
  readonly startMs: number;
  /** First instant of the next day (exclusive), epoch milliseconds. */
  readonly endMs: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const UTC_ZONES = new Set(['UTC', 'Etc/UTC']);

/** Thrown for an instant or a day that the zone cannot place (non-finite time, invalid date). */
export class DayRangeError extends Auth0UsageError {
  static override readonly code: string = 'ERR_DAY_RANGE';
}

/** The day range of a YYYY-MM-DD date in a zone. */
export function dayRangeOfDate(day: string, zone: string): DayRange {
  const date = DateTime.fromISO(day, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !date.isValid) {
    throw new DayRangeError(`"${day}" is not a valid YYYY-MM-DD date in ${zone}`);
  }
  return rangeFromLocalDate(date);
}

/** Computes the range with luxon: from the first instant of the local date to the first instant of the next. */
function rangeFromLocalDate(local: DateTime): DayRange {
  const start = firstInstantOf(local.startOf('day'));
  const end = firstInstantOf(start.plus({ days: 1 }).startOf('day'));
  return { day: start.toISODate() as string, startMs: start.toMillis(), endMs: end.toMillis() };
}

/**
 * The first instant of the local day of `midnight` (luxon's startOf('day') of some instant of it). startOf('day')
 * copes with a midnight DST skips (the day starts at 01:00), but where DST ends at 01:00 → 00:00 (America/Havana,
 * Atlantic/Azores, Asia/Amman until 2022) midnight happens twice and luxon picks the one of the offset it started
 * from: the day must start at the earlier one, whichever record placed it, or its first hour falls outside it.
 */
function firstInstantOf(midnight: DateTime): DateTime {
  let first = midnight;
  // An earlier midnight of the same date is one offset change back: look an hour (or two) before.
  for (const backMs of [HOUR_MS, 2 * HOUR_MS]) {
    const earlier = DateTime.fromMillis(midnight.toMillis() - backMs, { zone: midnight.zone });
    if (earlier.hour === 0 && earlier.minute === 0 && earlier.second === 0 && earlier.millisecond === 0 && earlier.toISODate() === midnight.toISODate()) {
      first = earlier;
    }
  }
  return first;
}

function utcRange(ms: number): DayRange {
  const startMs = Math.floor(ms / DAY_MS) * DAY_MS;
  return { day: new Date(startMs).toISOString().slice(0, 10), startMs, endMs: startMs + DAY_MS };
}

/**
 * Maps instants to their local day. Records arrive mostly in date order, so the last range answers most
 * look-ups; otherwise an hour-indexed map avoids luxon for hours already seen. UTC is pure arithmetic.
 */
export class DayRangeCache {
  private last: DayRange | undefined;
  private readonly byHour = new Map<number, DayRange>();
  private readonly utc: boolean;

  constructor(readonly zone: string) {
    this.utc = UTC_ZONES.has(zone);
  }

  rangeOf(ms: number): DayRange {
    const last = this.last;
    if (last !== undefined && ms >= last.startMs && ms < last.endMs) return last;
    if (!Number.isFinite(ms)) throw new DayRangeError(`record time ${ms} is not a finite number`);
    const range = this.utc ? utcRange(ms) : this.zonedRange(ms);
    this.last = range;
    return range;
  }

  private zonedRange(ms: number): DayRange {
    const hour = Math.floor(ms / HOUR_MS);
    const cached = this.byHour.get(hour);
    if (cached !== undefined) return cached;
    const local = DateTime.fromMillis(ms, { zone: this.zone });
    if (!local.isValid) throw new DayRangeError(`record time ${ms} cannot be placed in ${this.zone}`);
    const range = rangeFromLocalDate(local);
    // Only an hour wholly inside the day may be cached: in zones with half-hour offsets midnight falls mid-hour.
    if (range.startMs <= hour * HOUR_MS && (hour + 1) * HOUR_MS <= range.endMs) this.byHour.set(hour, range);
    return range;
  }
}
