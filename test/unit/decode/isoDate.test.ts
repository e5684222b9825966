import { fixedShapeBytesMs, generalIsoDateMs, parseIsoDate } from '../../../src/decode/isoDate';
import { seededRandom } from './archiveGenerator';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** The fast paths (string and bytes) against the general path, which normalize.test.ts checks by hand. */
function expectSameAsGeneral(text: string): void {
  const general = generalIsoDateMs(text);
  expect([text, parseIsoDate(text)]).toEqual([text, general]);
  const bytes = Buffer.from(`"${text}"`);
  const fast = fixedShapeBytesMs(bytes, 1, bytes.length - 1);
  // The bytes path answers only for the fixed shape (NaN means "ask the general path"), and then agrees with it.
  if (!Number.isNaN(fast)) expect([text, fast]).toEqual([text, general]);
}

describe('ISO dates: the fixed-shape fast path', () => {
  it('reads Auth0 timestamps', () => {
    expect(parseIsoDate('2025-05-08T08:39:10.838Z')).toBe(Date.UTC(2025, 4, 8, 8, 39, 10, 838));
    const bytes = Buffer.from('x2024-02-29T23:59:59.999Zx');
    expect(fixedShapeBytesMs(bytes, 1, 25)).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
  });

  it('agrees with the general path on every day of leap and common years, and around the edges of each field', () => {
    for (const year of [1900, 2000, 2023, 2024, 2100, 100, 99, 50, 0, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) expectSameAsGeneral(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T12:00:00.000Z`);
      }
    }
    for (const time of ['00:00:00.000', '23:59:59.999', '24:00:00.000', '24:00:00.001', '23:60:00.000', '23:59:60.000', '99:99:99.999']) {
      expectSameAsGeneral(`2024-06-15T${time}Z`);
    }
  });

  it('reads instants of a few days in any order, each day coming back after others', () => {
    // The day's start is kept from one date to the next: every switch of day, and back, must still read exactly.
    const rnd = seededRandom(5);
    const days = [Date.UTC(2024, 1, 28), Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1), Date.UTC(1999, 11, 31), Date.UTC(2000, 0, 1)];
    for (let i = 0; i < 5000; i++) {
      const instant = days[Math.floor(rnd() * days.length)]! + Math.floor(rnd() * 86_400_000);
      const text = new Date(instant).toISOString();
      expect([parseIsoDate(text), fixedShapeBytesMs(Buffer.from(text), 0, 24)]).toEqual([instant, instant]);
    }
  });

  it('agrees with the general path on near-misses of the shape', () => {
    const good = '2024-06-15T10:20:30.456Z';
    const rnd = seededRandom(11);
    const alphabet = '0123456789-:.TZz+ x';
    for (let i = 0; i < 3000; i++) {
      const at = Math.floor(rnd() * good.length);
      const ch = alphabet[Math.floor(rnd() * alphabet.length)];
      expectSameAsGeneral(good.slice(0, at) + ch + good.slice(at + 1));
    }
    for (const text of ['2024-06-15T10:20:30Z', '2024-06-15T10:20:30.4567Z', '2024-06-15T10:20:30.456+00:00', '2024-06-15', '+02024-06-15T10:20:30.456Z']) {
      expectSameAsGeneral(text);
    }
  });
});
