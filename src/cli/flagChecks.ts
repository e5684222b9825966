/**
 * Coerce functions for numeric flags. A thrown message becomes a one-line usage error (exit 2) naming the flag.
 */

/** The value as given, for messages: yargs turns a word given to a number flag into NaN before any check sees it. */
const shown = (value: number): string => (Number.isNaN(value) ? 'something that is not a number' : String(value));

/** A whole number of at least `minimum`, e.g. `--concurrency` (1) or `--hec-batch-bytes` (1024 bytes). */
export function wholeNumberAtLeast(flag: string, minimum = 1, unit = '') {
  return (value: number): number => {
    if (!Number.isInteger(value) || value < minimum) {
      throw new Error(`${flag} must be a whole number${unit ? ` of ${unit}` : ''} of at least ${minimum}, got ${shown(value)}`);
    }
    return value;
  };
}

/** A number above 0 in `unit` (seconds, minutes), fractions allowed. */
export function positiveAmount(flag: string, unit: string) {
  return (value: number): number => {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} must be a number of ${unit} above 0, got ${shown(value)}`);
    return value;
  };
}
