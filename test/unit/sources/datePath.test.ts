import { dayRangeFilter, keyDayMs } from '../../../src/sources/datePath';

describe('keyDayMs', () => {
  it('finds a YYYY/MM/DD run of whole path segments anywhere in the key', () => {
    expect(keyDayMs('2024/03/01/05/stream-1-2024-03-01-05-00-00-x.gz')).toBe(Date.UTC(2024, 2, 1));
    expect(keyDayMs('logs/tenant-a/2023/12/31/23/x.gz')).toBe(Date.UTC(2023, 11, 31));
    expect(keyDayMs('exports/2024/02/29')).toBe(Date.UTC(2024, 1, 29)); // a file named after the day
  });

  it('ignores runs that are not whole segments or not real dates', () => {
    expect(keyDayMs('x2024/03/01/a.gz')).toBeUndefined();
    expect(keyDayMs('2024/03/011/a.gz')).toBeUndefined();
    expect(keyDayMs('2023/02/29/a.gz')).toBeUndefined(); // not a leap year
    expect(keyDayMs('2024/13/01/a.gz')).toBeUndefined();
    expect(keyDayMs('2024-03-01/a.gz')).toBeUndefined();
    expect(keyDayMs('manifest.json')).toBeUndefined();
  });

  it('uses the first valid date run when an invalid one comes first', () => {
    expect(keyDayMs('9999/99/99/2024/01/02/a.gz')).toBe(Date.UTC(2024, 0, 2));
  });
});

describe('dayRangeFilter', () => {
  const keys = ['a/2024/02/27/x', 'a/2024/02/28/x', 'a/2024/02/29/x', 'a/2024/03/01/x', 'a/2024/03/02/x', 'a/2024/03/03/x', 'a/readme'];

  it('keeps date keys from one day before from to one day after to, and every key without a date', () => {
    const keep = dayRangeFilter({ from: '2024-02-29', to: '2024-03-01' });
    expect(keys.filter(keep)).toEqual(['a/2024/02/28/x', 'a/2024/02/29/x', 'a/2024/03/01/x', 'a/2024/03/02/x', 'a/readme']);
  });

  it('crosses month and year ends', () => {
    const keep = dayRangeFilter({ from: '2024-01-01', to: '2024-01-01' });
    expect(['2023/12/30/x', '2023/12/31/x', '2024/01/01/x', '2024/01/02/x', '2024/01/03/x'].filter(keep)).toEqual([
      '2023/12/31/x',
      '2024/01/01/x',
      '2024/01/02/x',
    ]);
  });

  it('leaves a side open when only one bound is given', () => {
    expect(keys.filter(dayRangeFilter({ from: '2024-03-02' }))).toEqual(['a/2024/03/01/x', 'a/2024/03/02/x', 'a/2024/03/03/x', 'a/readme']);
    expect(keys.filter(dayRangeFilter({ to: '2024-02-27' }))).toEqual(['a/2024/02/27/x', 'a/2024/02/28/x', 'a/readme']);
    expect(keys.filter(dayRangeFilter(undefined))).toEqual(keys);
  });

  it('rejects malformed or reversed bounds', () => {
    expect(() => dayRangeFilter({ from: '2024-3-1' })).toThrow('from must be a date as YYYY-MM-DD');
    expect(() => dayRangeFilter({ to: '2024-02-30' })).toThrow('to must be a date as YYYY-MM-DD');
    expect(() => dayRangeFilter({ from: '2024-03-02', to: '2024-03-01' })).toThrow('is after');
  });
});
