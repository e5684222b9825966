/**
 * Checks of flags' values: coerce functions for numeric flags (a thrown message becomes a one-line usage error,
 * exit 2, naming the flag), and what counts as a flag given.
 */

/** The value as given, for messages: yargs turns a word given to a number flag into NaN before any check sees it. */
const shown = (value: number): string => (Number.isNaN(value) ? 'something that is not a number' : String(value));

/**
 * yargs makes a flag given twice a list, and a flag's coerce sees that list before the command can refuse it:
 * the check then said 'got 2,3', or failed on a method a list lacks. Said as what it is instead.
 */
export function givenOnce<T>(flag: string, value: T | T[]): T {
  if (Array.isArray(value)) throw new Error(givenTwice(flag));
  return value;
}

/**
 * Whether a path flag (--state, --output, --hec-url, --spool) was given: an empty value, as a templated variable
 * left empty (AUTH0_USAGE_STATE=) or `--output "$OUT"` with OUT unset gives, is none, never the working folder.
 */
export function flagGiven(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** What a single-valued flag given more than once is told, whether its coerce or the command sees the list. */
export function givenTwice(flag: string): string {
  return `${flag} is given more than once: give it once`;
}

/**
 * A whole number of at least `minimum`, e.g. `--concurrency` (1) or `--hec-batch-bytes` (1024 bytes), and at most
 * `maximum` where a larger one would hang the run or fail it late (`--concurrency 1e6`, `--dedup-days 1e9`).
 */
export function wholeNumberAtLeast(flag: string, minimum = 1, unit = '', maximum = Number.MAX_SAFE_INTEGER) {
  return (given: number): number => {
    const value = givenOnce(flag, given);
    if (!Number.isInteger(value) || value < minimum || value > maximum) {
      const range = maximum === Number.MAX_SAFE_INTEGER ? `of at least ${minimum}` : `from ${minimum} to ${maximum}`;
      throw new Error(`${flag} must be a whole number${unit ? ` of ${unit}` : ''} ${range}, got ${shown(value)}`);
    }
    return value;
  };
}

/** Milliseconds in each unit a duration flag may take. */
const UNIT_MS = { seconds: 1000, minutes: 60_000 } as const;
/** The longest delay Node's timers keep (about 24.8 days): a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A duration above 0 in `unit`, fractions allowed. It becomes whole milliseconds for a timer or a request timeout:
 * under half a millisecond would round to 0, which turns a timeout off, and past MAX_TIMER_MS a timer fires at once.
 */
export function positiveAmount(flag: string, unit: keyof typeof UNIT_MS) {
  const max = Math.floor(MAX_TIMER_MS / UNIT_MS[unit]);
  return (given: number): number => {
    const value = givenOnce(flag, given);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} must be a number of ${unit} above 0, got ${shown(value)}`);
    if (Math.round(value * UNIT_MS[unit]) < 1) throw new Error(`${flag} must be at least 1 millisecond, got ${value} ${unit}`);
    if (value > max) throw new Error(`${flag} must be at most ${max} ${unit} (about 24 days), got ${value}`);
    return value;
  };
}
