import { positiveAmount } from '../../../src/cli/flagChecks';

describe('positiveAmount (duration flags)', () => {
  const minutes = positiveAmount('--checkpoint-minutes', 'minutes');

  test('takes fractions, down to what rounds to 1 ms', () => {
    expect(minutes(0.5)).toBe(0.5);
    // 0.00001 minutes is 0.6 ms: rounds to 1 ms.
    expect(minutes(0.00001)).toBe(0.00001);
  });

  test('refuses what rounds to 0 ms, and what Node cannot time (over 2^31 - 1 ms)', () => {
    // 0.000008 minutes is 0.48 ms: a timeout of 0.
    expect(() => minutes(0.000008)).toThrow('--checkpoint-minutes must be at least 1 millisecond, got 0.000008 minutes');
    // 2,147,483,647 ms / 60,000 = 35,791.39 minutes.
    expect(minutes(35791)).toBe(35791);
    expect(() => minutes(35792)).toThrow('--checkpoint-minutes must be at most 35791 minutes (about 24 days), got 35792');
  });

  test('refuses 0, negatives and what is not a number', () => {
    expect(() => minutes(0)).toThrow('--checkpoint-minutes must be a number of minutes above 0, got 0');
    expect(() => minutes(-1)).toThrow('above 0, got -1');
    expect(() => minutes(Number.NaN)).toThrow('above 0, got something that is not a number');
    expect(() => minutes(Infinity)).toThrow('above 0, got Infinity');
  });
});
