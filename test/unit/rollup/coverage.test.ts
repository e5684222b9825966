import { CoverageError, DayCoverage } from '../../../src/rollup/coverage';

const at = (iso: string) => Date.parse(iso);

/** A record every 10 minutes of 2024-03-05 UTC, from 00:00 to 23:50, except none from 09:00 to 11:59. */
function holeDayTimes(): number[] {
  const times: number[] = [];
  for (let minute = 0; minute < 1440; minute += 10) {
    if (minute >= 9 * 60 && minute < 12 * 60) continue;
    times.push(at('2024-03-05T00:00:00Z') + minute * 60_000 + 15_000);
  }
  return times;
}

function coverageOf(day: string, tz: string, times: number[]): DayCoverage {
  const coverage = DayCoverage.empty(day, tz);
  for (const t of times) coverage.add(t);
  return coverage;
}

test('a day with a three-hour hole', () => {
  // 144 ten-minute slots less the 18 of 09:00–11:50 = 126 records. The last record before the hole is in
  // minute 530 (08:50), the next in minute 720 (12:00): minutes 531…719 are empty, 189 of them.
  expect(coverageOf('2024-03-05', 'UTC', holeDayTimes()).figures()).toEqual({
    records: 126,
    hours_in_day: 24,
    hours_with_records: 21,
    longest_gap_minutes: 189,
    first_record: '2024-03-05T00:00:15.000Z',
    last_record: '2024-03-05T23:50:15.000Z',
  });
});

test("gaps count from the day's start and to its end", () => {
  // Records in minutes 330 (05:30) and 1200 (20:00): empty 0…329 (330), 331…1199 (869), 1201…1439 (239).
  const two = coverageOf('2024-03-05', 'UTC', [at('2024-03-05T05:30:10Z'), at('2024-03-05T20:00:59Z')]).figures();
  expect([two.hours_with_records, two.longest_gap_minutes]).toEqual([2, 869]);
  // Only the very last minute: minutes 0…1438 are empty.
  expect(coverageOf('2024-03-05', 'UTC', [at('2024-03-05T23:59:30Z')]).figures().longest_gap_minutes).toBe(1439);
  // Only the very first minute: minutes 1…1439 are empty.
  expect(coverageOf('2024-03-05', 'UTC', [at('2024-03-05T00:00:00Z')]).figures().longest_gap_minutes).toBe(1439);
  expect(DayCoverage.empty('2024-03-05', 'UTC').figures()).toEqual({
    records: 0,
    hours_in_day: 24,
    hours_with_records: 0,
    longest_gap_minutes: 1440,
    first_record: null,
    last_record: null,
  });
});

test('spring forward in Europe/Berlin: a 23-hour day', () => {
  // 2024-03-31 runs from 2024-03-30T23:00Z to 2024-03-31T22:00Z, 1380 minutes. 01:59 CET is minute 119,
  // 03:00 CEST (one minute later) minute 120, 23:59 CEST (21:59Z) minute 1379, the day's last.
  const coverage = coverageOf('2024-03-31', 'Europe/Berlin', [at('2024-03-31T00:59:00Z'), at('2024-03-31T01:00:00Z'), at('2024-03-31T21:59:00Z')]);
  // Empty: 0…118 (119), 121…1378 (1258), none after 1379. Hours (elapsed): blocks 1, 2 and 22.
  expect(coverage.figures()).toEqual({
    records: 3,
    hours_in_day: 23,
    hours_with_records: 3,
    longest_gap_minutes: 1258,
    first_record: '2024-03-31T00:59:00.000Z',
    last_record: '2024-03-31T21:59:00.000Z',
  });
  expect(() => coverage.add(at('2024-03-31T22:00:00Z'))).toThrow(CoverageError);
});

test('fall back in Europe/Berlin: a 25-hour day whose repeated hour counts twice', () => {
  // 2024-10-27 runs from 2024-10-26T22:00Z to 2024-10-27T23:00Z, 1500 minutes. 02:30 CEST (00:30Z) is minute
  // 150, 02:30 CET (01:30Z) minute 210, 23:59:59 CET (22:59:59Z) minute 1499.
  const coverage = coverageOf('2024-10-27', 'Europe/Berlin', [at('2024-10-27T00:30:00Z'), at('2024-10-27T01:30:00Z'), at('2024-10-27T22:59:59Z')]);
  // Empty: 0…149 (150), 151…209 (59), 211…1498 (1288). Hours: blocks 2, 3 and 24.
  expect(coverage.figures()).toMatchObject({ records: 3, hours_in_day: 25, hours_with_records: 3, longest_gap_minutes: 1288 });
});

test('two halves merged equal the whole, in either order, and survive the state file', () => {
  const times = holeDayTimes();
  const whole = coverageOf('2024-03-05', 'UTC', times);
  const morning = coverageOf('2024-03-05', 'UTC', times.filter((_, i) => i % 2 === 0));
  const rest = coverageOf('2024-03-05', 'UTC', times.filter((_, i) => i % 2 === 1));
  expect(morning.merge(rest).toJSON()).toEqual(whole.toJSON());
  expect(rest.merge(morning).figures()).toEqual(whole.figures());
  const restored = DayCoverage.fromJSON(JSON.parse(JSON.stringify(morning)));
  expect(restored.merge(rest).figures()).toEqual(whole.figures());
  // 1440 minutes in 180 bytes, base64: 240 characters.
  expect(whole.toJSON().minutes).toHaveLength(240);
});

test('refuses to merge other days or zones, and damaged state', () => {
  expect(() => DayCoverage.empty('2024-03-05', 'UTC').merge(DayCoverage.empty('2024-03-05', 'Europe/Berlin'))).toThrow(
    'cannot merge coverage of 2024-03-05 Europe/Berlin into 2024-03-05 UTC',
  );
  const good = coverageOf('2024-03-31', 'Europe/Berlin', [at('2024-03-31T00:59:00Z')]).toJSON();
  expect(() => DayCoverage.fromJSON({ ...good, records: -1 })).toThrow(CoverageError);
  expect(() => DayCoverage.fromJSON({ ...good, minutes: Buffer.alloc(180).toString('base64') })).toThrow(CoverageError); // a 24-hour bitmap
  expect(() => DayCoverage.fromJSON({ ...good, first_ms: at('2024-03-31T05:00:00Z') })).toThrow(CoverageError); // minute not set
  const spare = Buffer.from(good.minutes, 'base64');
  spare[spare.length - 1] = 0xf0; // bits past minute 1379
  expect(() => DayCoverage.fromJSON({ ...good, minutes: spare.toString('base64') })).toThrow(CoverageError);
  expect(DayCoverage.fromJSON(good).figures().records).toBe(1);
});

test('figures agree with a count over the records themselves, on short, long and common days', () => {
  // Europe/Berlin: 2024-03-31 has 23 hours (1380 minutes, not a multiple of 8), 2024-10-27 has 25.
  const days: Array<[string, number, number]> = [
    ['2024-03-31', at('2024-03-30T23:00:00Z'), 1380],
    ['2024-10-27', at('2024-10-26T22:00:00Z'), 1500],
    ['2024-06-01', at('2024-05-31T22:00:00Z'), 1440],
  ];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const [day, startMs, minutes] of days) {
    for (const records of [0, 1, 2, 5, 40, 400, 3000]) {
      const times = Array.from({ length: records }, () => startMs + Math.floor(random() * minutes * 60_000));
      if (records === 2) times.splice(0, 2, startMs, startMs + minutes * 60_000 - 1); // the first and last minute
      const covered = new Set(times.map((t) => Math.floor((t - startMs) / 60_000)));
      let longest = 0;
      let run = 0;
      for (let minute = 0; minute < minutes; minute++) {
        run = covered.has(minute) ? 0 : run + 1;
        longest = Math.max(longest, run);
      }
      const figures = coverageOf(day, 'Europe/Berlin', times).figures();
      expect([day, records, figures.hours_in_day, figures.hours_with_records, figures.longest_gap_minutes]).toEqual([
        day,
        records,
        minutes / 60,
        new Set([...covered].map((minute) => Math.floor(minute / 60))).size,
        longest,
      ]);
    }
  }
});
