/**
 * How completely one tenant-day is covered by log records: a bitmap with one bit per elapsed minute of the
 * local day (1440, or 1380 and 1500 on DST days; 1410 and 1470 where the shift is half an hour), the record count
 * and the first and last record.
 * A paused Log Stream leaves a run of empty minutes that a quiet night does not. Coverages of the same
 * tenant-day merge by union, so each run can add what it read to what the state file kept.
 */
import { dayRangeOfDate, type DayRange } from './dayRange';
import { Auth0UsageError } from '../support/errors';

const MINUTE_MS = 60_000;
// Module constants for the per-record path: inside a vm context (Jest) each global look-up is slow.
const { floor } = Math;
const { isFinite: isFiniteNumber } = Number;

/** The figures a `coverage` summary carries. */
export interface CoverageFigures {
  records: number;
  hours_in_day: number;
  hours_with_records: number;
  /** Longest run of minutes without a record, counting from the day's start and to its end. */
  longest_gap_minutes: number;
  /** ISO 8601 UTC; null for a day without records. */
  first_record: string | null;
  last_record: string | null;
}

/** The state-file form: the bitmap as base64, minute 0 in the lowest bit of byte 0. */
export interface CoverageJson {
  day: string;
  tz: string;
  minutes: string;
  records: number;
  first_ms: number | null;
  last_ms: number | null;
}

export class CoverageError extends Auth0UsageError {
  static override readonly code: string = 'ERR_COVERAGE';
}

export class DayCoverage {
  private constructor(
    readonly day: string,
    readonly tz: string,
    private readonly startMs: number,
    private readonly minuteCount: number,
    private readonly bits: Uint8Array,
    private recordCount: number,
    private firstMs: number | null,
    private lastMs: number | null,
  ) {}

  /** A day in `tz` (IANA) with no record yet. */
  static empty(day: string, tz: string): DayCoverage {
    return DayCoverage.ofRange(dayRangeOfDate(day, tz), tz);
  }

  /** A day already cut (its length decides how many minutes); `tz` names its zone in messages. */
  static ofRange(range: DayRange, tz: string): DayCoverage {
    const minuteCount = Math.round((range.endMs - range.startMs) / MINUTE_MS);
    return new DayCoverage(range.day, tz, range.startMs, minuteCount, new Uint8Array(Math.ceil(minuteCount / 8)), 0, null, null);
  }

  /** Counts one record at `epochMs`, which must fall in the day. */
  add(epochMs: number): void {
    const minute = this.minuteOf(epochMs);
    if (!isFiniteNumber(epochMs) || minute < 0 || minute >= this.minuteCount) {
      const when = Number.isFinite(epochMs) ? new Date(epochMs).toISOString() : String(epochMs);
      throw new CoverageError(`a record at ${when} is outside ${this.day} in ${this.tz}`);
    }
    this.bits[minute >> 3]! |= 1 << (minute & 7);
    this.recordCount++;
    if (this.firstMs === null || epochMs < this.firstMs) this.firstMs = epochMs;
    if (this.lastMs === null || epochMs > this.lastMs) this.lastMs = epochMs;
  }

  /** The union of two coverages of the same day and zone, from disjoint record sets (de-duplicated upstream). */
  merge(other: DayCoverage): DayCoverage {
    if (other.day !== this.day || other.tz !== this.tz || other.startMs !== this.startMs) {
      throw new CoverageError(`cannot merge coverage of ${other.day} ${other.tz} into ${this.day} ${this.tz}`);
    }
    const bits = this.bits.map((byte, i) => byte | other.bits[i]!);
    const pick = (a: number | null, b: number | null, f: (x: number, y: number) => number) => (a === null ? b : b === null ? a : f(a, b));
    return new DayCoverage(
      this.day,
      this.tz,
      this.startMs,
      this.minuteCount,
      bits,
      this.recordCount + other.recordCount,
      pick(this.firstMs, other.firstMs, Math.min),
      pick(this.lastMs, other.lastMs, Math.max),
    );
  }

  private minuteOf(epochMs: number): number {
    return floor((epochMs - this.startMs) / MINUTE_MS);
  }

  private covered(minute: number): boolean {
    return (this.bits[minute >> 3]! & (1 << (minute & 7))) !== 0;
  }

  figures(): CoverageFigures {
    // Visits only the covered minutes, skipping empty bytes whole: most tenant-days of a large fleet hold a few
    // records, and a walk over every minute of every day cost more than the rest of the day's summaries.
    // Hours are elapsed 60-minute blocks from local midnight, so a repeated wall hour counts twice.
    let hoursWithRecords = 0;
    let lastHour = -1;
    let longest = 0;
    let previous = -1; // the last covered minute so far
    const bits = this.bits;
    for (let byte = 0; byte < bits.length; byte++) {
      const value = bits[byte]!;
      if (value === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if ((value & (1 << bit)) === 0) continue;
        const minute = byte * 8 + bit;
        const hour = Math.floor(minute / 60);
        if (hour !== lastHour) {
          hoursWithRecords++;
          lastHour = hour;
        }
        if (minute - previous - 1 > longest) longest = minute - previous - 1;
        previous = minute;
      }
    }
    if (this.minuteCount - previous - 1 > longest) longest = this.minuteCount - previous - 1;
    return {
      records: this.recordCount,
      hours_in_day: this.minuteCount / 60,
      hours_with_records: hoursWithRecords,
      longest_gap_minutes: longest,
      first_record: this.firstMs === null ? null : new Date(this.firstMs).toISOString(),
      last_record: this.lastMs === null ? null : new Date(this.lastMs).toISOString(),
    };
  }

  toJSON(): CoverageJson {
    return {
      day: this.day,
      tz: this.tz,
      minutes: Buffer.from(this.bits).toString('base64'),
      records: this.recordCount,
      first_ms: this.firstMs,
      last_ms: this.lastMs,
    };
  }

  /**
   * Reads what toJSON wrote; throws CoverageError for anything that does not fit the day. `range`, when given,
   * is the day as already cut (a day aggregate's), instead of cutting `json.day` in `json.tz` again.
   */
  static fromJSON(json: CoverageJson, range?: DayRange): DayCoverage {
    const empty = range === undefined ? DayCoverage.empty(json.day, json.tz) : DayCoverage.ofRange(range, json.tz);
    const bits = new Uint8Array(Buffer.from(json.minutes, 'base64'));
    const { records, first_ms: first, last_ms: last } = json;
    const inDay = (ms: number | null) => ms !== null && Number.isFinite(ms) && ms >= empty.startMs && ms < empty.startMs + empty.minuteCount * MINUTE_MS;
    const sound =
      bits.length === empty.bits.length &&
      Number.isInteger(records) &&
      records >= 0 &&
      (records === 0 ? first === null && last === null : inDay(first) && inDay(last) && first! <= last!);
    const restored = sound ? new DayCoverage(json.day, json.tz, empty.startMs, empty.minuteCount, bits, records, first, last) : undefined;
    // The first and last record's minutes are set, and no bit lies past the day's last minute.
    const spareBits = bits.length * 8 - empty.minuteCount;
    const consistent =
      restored !== undefined &&
      (records === 0 || (restored.covered(restored.minuteOf(first!)) && restored.covered(restored.minuteOf(last!)))) &&
      (spareBits === 0 || bits[bits.length - 1]! >> (8 - spareBits) === 0);
    if (!consistent) throw new CoverageError(`coverage of ${json.day} ${json.tz} in the state is damaged`);
    return restored;
  }
}
