import { DayWindow, DayWindowError } from '../../../src/rollup/dayWindow';

const at = (iso: string) => Date.parse(iso);

describe('DayWindow', () => {
  it('spans from the start of --from to the end of --to in the zone, both inclusive', () => {
    // Europe/Berlin in June is UTC+2: 2024-06-01 00:00 = 2024-05-31T22:00Z; 2024-06-03 24:00 = 2024-06-03T22:00Z.
    const window = new DayWindow('Europe/Berlin', '2024-06-01', '2024-06-03');
    expect(window.contains(at('2024-05-31T21:59:59.999Z'))).toBe(false);
    expect(window.contains(at('2024-05-31T22:00:00.000Z'))).toBe(true);
    expect(window.contains(at('2024-06-03T21:59:59.999Z'))).toBe(true);
    expect(window.contains(at('2024-06-03T22:00:00.000Z'))).toBe(false);
  });

  it('accepts a single day and open bounds', () => {
    const oneDay = new DayWindow('UTC', '2024-06-01', '2024-06-01');
    expect(oneDay.endMs - oneDay.startMs).toBe(86_400_000);
    expect(new DayWindow('UTC', undefined, '2024-06-01').contains(0)).toBe(true);
    expect(new DayWindow('UTC', '2024-06-01').contains(at('2099-01-01T00:00:00Z'))).toBe(true);
    expect(new DayWindow('UTC').contains(-1e15)).toBe(true);
  });

  it('rejects bad dates and reversed bounds', () => {
    expect(() => new DayWindow('UTC', '2024-06-31')).toThrow(DayWindowError);
    expect(() => new DayWindow('UTC', undefined, 'June 1')).toThrow(/--to/);
    expect(() => new DayWindow('UTC', '2024-06-02', '2024-06-01')).toThrow(DayWindowError);
  });
});
