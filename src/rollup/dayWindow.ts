import { dayRangeOfDate, DayRangeError } from './dayRange';
import { Auth0UsageError } from '../support/errors';

/** Thrown when `--from`/`--to` are not dates in the zone or are in the wrong order. */
export class DayWindowError extends Auth0UsageError {
  static override readonly code: string = 'ERR_DAY_WINDOW';
  static override readonly exitCode: 1 | 2 = 2;
}

/**
 * The instants a run summarizes: from the start of `from` to the end of `to` (both YYYY-MM-DD, inclusive,
 * in the run's zone). Either bound may be open.
 */
export class DayWindow {
  readonly startMs: number;
  readonly endMs: number;

  constructor(zone: string, from?: string, to?: string) {
    this.startMs = from === undefined ? -Infinity : boundOf('from', from, zone).startMs;
    this.endMs = to === undefined ? Infinity : boundOf('to', to, zone).endMs;
    if (this.startMs >= this.endMs) throw new DayWindowError(`--from ${from} is after --to ${to}`);
  }

  contains(ms: number): boolean {
    return ms >= this.startMs && ms < this.endMs;
  }
}

function boundOf(option: 'from' | 'to', day: string, zone: string) {
  try {
    return dayRangeOfDate(day, zone);
  } catch (error) {
    if (error instanceof DayRangeError) throw new DayWindowError(`--${option}: ${error.message}`);
    throw error;
  }
}

/**
 * The instants of a ledger's days (`from..to`, or several such ranges joined by commas: ObjectIndex.countedFor), in
 * `zone`: the records of an object an earlier run counted.
 */
export function countedWindow(zone: string, days: string): Pick<DayWindow, 'contains'> {
  const windows = days.split(',').map((range) => {
    const [from, to] = range.split('..') as [string, string];
    return new DayWindow(zone, from || undefined, to || undefined);
  });
  return windows.length === 1 ? windows[0]! : { contains: (ms: number) => windows.some((window) => window.contains(ms)) };
}
