import { DayRangeCache, DayRangeError, dayRangeOfDate } from '../../../src/rollup/dayRange';
import { seededRandom } from './rollupTestKit';

const at = (iso: string) => Date.parse(iso);
const seconds = (ms: number) => ms / 1000;

/** Independent oracle: the local calendar date of an instant, from Intl (ICU), not luxon. */
// One formatter a zone: making one is most of the cost of a look-up.
const formatters = new Map<string, Intl.DateTimeFormat>();
function intlDay(ms: number, zone: string): string {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(zone, formatter);
  }
  return formatter.format(ms);
}

describe('DayRangeCache', () => {
  it('cuts UTC days arithmetically', () => {
    const cache = new DayRangeCache('UTC');
    expect(cache.rangeOf(at('2024-02-29T23:59:59.999Z'))).toEqual({
      day: '2024-02-29',
      startMs: Date.UTC(2024, 1, 29),
      endMs: Date.UTC(2024, 2, 1),
    });
    expect(cache.rangeOf(at('2024-03-01T00:00:00.000Z')).day).toBe('2024-03-01');
    expect(cache.rangeOf(at('1969-12-31T23:59:59.999Z')).day).toBe('1969-12-31');
  });

  it('puts instants one millisecond either side of Berlin midnight on different days', () => {
    // 2024-01-15 00:00 CET (UTC+1) is 2024-01-14T23:00:00Z.
    const cache = new DayRangeCache('Europe/Berlin');
    const before = cache.rangeOf(at('2024-01-14T22:59:59.999Z'));
    const after = cache.rangeOf(at('2024-01-14T23:00:00.001Z'));
    const exactly = cache.rangeOf(at('2024-01-14T23:00:00.000Z'));
    expect(before.day).toBe('2024-01-14');
    expect(after.day).toBe('2024-01-15');
    expect(exactly.day).toBe('2024-01-15');
    expect(before.endMs).toBe(at('2024-01-14T23:00:00.000Z'));
    expect(after.startMs).toBe(at('2024-01-14T23:00:00.000Z'));
  });

  it('makes New York DST days 23 and 25 hours long', () => {
    const cache = new DayRangeCache('America/New_York');
    // 2024-03-10 00:00 EST = 05:00Z; 2024-03-11 00:00 EDT = 04:00Z next day.
    const spring = cache.rangeOf(at('2024-03-10T12:00:00Z'));
    expect(spring.day).toBe('2024-03-10');
    expect(seconds(spring.startMs)).toBe(1710046800);
    expect(seconds(spring.endMs)).toBe(1710129600);
    expect(seconds(spring.endMs - spring.startMs)).toBe(82800);
    // 2024-11-03 00:00 EDT = 04:00Z; 2024-11-04 00:00 EST = 05:00Z next day.
    const autumn = cache.rangeOf(at('2024-11-03T12:00:00Z'));
    expect(seconds(autumn.startMs)).toBe(1730606400);
    expect(seconds(autumn.endMs)).toBe(1730696400);
    expect(seconds(autumn.endMs - autumn.startMs)).toBe(90000);
  });

  it('starts a day whose midnight DST skips at its first instant (Santiago 2022-09-11 began at 01:00)', () => {
    const cache = new DayRangeCache('America/Santiago');
    expect(cache.rangeOf(at('2022-09-11T03:59:59.999Z')).day).toBe('2022-09-10');
    const day = cache.rangeOf(at('2022-09-11T04:00:00.000Z'));
    expect(day).toEqual({ day: '2022-09-11', startMs: at('2022-09-11T04:00:00Z'), endMs: at('2022-09-12T03:00:00Z') });
  });

  it('does not let the hour cache blur a midnight that falls mid-hour (Asia/Kolkata, UTC+5:30)', () => {
    // 2024-01-01 00:00 IST is 2023-12-31T18:30:00Z, inside the UTC hour 18:00–19:00.
    const cache = new DayRangeCache('Asia/Kolkata');
    expect(cache.rangeOf(at('2023-12-31T18:40:00Z')).day).toBe('2024-01-01');
    expect(cache.rangeOf(at('2023-12-31T12:00:00Z')).day).toBe('2023-12-31');
    expect(cache.rangeOf(at('2023-12-31T18:10:00Z')).day).toBe('2023-12-31');
    expect(cache.rangeOf(at('2023-12-31T18:29:59.999Z')).day).toBe('2023-12-31');
    expect(cache.rangeOf(at('2023-12-31T18:30:00.000Z')).day).toBe('2024-01-01');
  });

  // Havana ends DST at 01:00 CDT → 00:00 CST, the Azores at 01:00 (UTC+0) → 00:00 (UTC−1): the day's first
  // hour happens twice, and the day starts at the first of the two midnights, whichever record comes first.
  it.each([
    ['America/Havana', '2024-11-03', '2024-11-03T04:00:00Z', '2024-11-04T05:00:00Z'],
    ['Atlantic/Azores', '2024-10-27', '2024-10-27T00:00:00Z', '2024-10-28T01:00:00Z'],
  ])('starts a day whose midnight happens twice (%s %s) at the first midnight, in either order', (zone, day, start, end) => {
    const expected = { day, startMs: at(start), endMs: at(end) };
    const firstHour = at(start) + 30 * 60_000;
    const secondHour = firstHour + 3_600_000;
    const secondFirst = new DayRangeCache(zone);
    expect(secondFirst.rangeOf(secondHour)).toEqual(expected);
    expect(secondFirst.rangeOf(firstHour)).toEqual(expected);
    const firstFirst = new DayRangeCache(zone);
    expect(firstFirst.rangeOf(firstHour)).toEqual(expected);
    expect(firstFirst.rangeOf(secondHour)).toEqual(expected);
    expect(dayRangeOfDate(day, zone)).toEqual(expected);
  });

  it.each([
    'America/New_York',
    'Europe/Berlin',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'America/Santiago',
    'Pacific/Chatham',
    'America/Havana',
    'Atlantic/Azores',
    'UTC',
  ])('agrees with Intl on random instants and day edges in %s', (zone) => {
    const random = seededRandom(zone.length * 7919);
    const cache = new DayRangeCache(zone);
    const from = at('2019-01-01T00:00:00Z');
    const span = at('2026-12-31T00:00:00Z') - from;
    let ms = from;
    // Wrong answers are collected and checked once: an expect per check costs more than the check.
    const wrong: Array<{ ms: number; range: { day: string; startMs: number; endMs: number }; check: string }> = [];
    for (let i = 0; i < 600; i++) {
      // Mostly small steps (like real logs, exercising the caches), sometimes a jump anywhere.
      ms = random() < 0.8 ? ms + Math.floor(random() * 7_200_000) : from + Math.floor(random() * span);
      const range = cache.rangeOf(ms);
      const checks: Array<[string, boolean]> = [
        ['contains the instant', range.startMs <= ms && ms < range.endMs],
        ['is the instant\'s day', intlDay(ms, zone) === range.day],
        ['starts on the day', intlDay(range.startMs, zone) === range.day],
        ['starts after the day before', intlDay(range.startMs - 1, zone) !== range.day],
        ['ends on the day', intlDay(range.endMs - 1, zone) === range.day],
        ['ends where the next day starts', intlDay(range.endMs, zone) !== range.day],
      ];
      for (const [check, ok] of checks) if (!ok) wrong.push({ ms, range, check });
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a non-finite time', () => {
    expect(() => new DayRangeCache('Europe/Berlin').rangeOf(NaN)).toThrow(DayRangeError);
    expect(() => new DayRangeCache('UTC').rangeOf(Infinity)).toThrow(DayRangeError);
  });
});

describe('dayRangeOfDate', () => {
  it('gives the local day of a YYYY-MM-DD date', () => {
    expect(dayRangeOfDate('2024-03-10', 'America/New_York')).toEqual({
      day: '2024-03-10',
      startMs: 1710046800_000,
      endMs: 1710129600_000,
    });
  });

  it.each(['2024-02-30', '2024-3-10', '20240310', '2024-03-10T00:00', ''])('rejects %j', (day) => {
    expect(() => dayRangeOfDate(day, 'UTC')).toThrow(DayRangeError);
  });
});
