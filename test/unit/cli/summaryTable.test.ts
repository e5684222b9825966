/** The per-day table after a run: widths from every row, unknown types as the capped run event lists them. */
import { formatSummaryTable } from '../../../src/cli/summaryTable';
import type { RunEvent } from '../../../src/rollup/summaryEvent';

const run = (unknown: string[], count: number) =>
  ({ objects: 2, records: 9, duplicates: 1, malformed: 0, rejected: 0, out_of_range: 0, unknown_types: unknown, unknown_types_count: count }) as unknown as RunEvent;

test('unknown types beyond the run event’s list are counted, not dropped', () => {
  const text = formatSummaryTable([], run(['zz_a', 'zz_b'], 250));
  expect(text.trim().split('\n').at(-1)).toBe('2 files, 9 records, 1 duplicates, 0 malformed, 0 rejected, 0 out of range; unknown types: zz_a, zz_b and 248 more');
  expect(formatSummaryTable([], run(['zz_a'], 1))).toContain('; unknown types: zz_a\n');
  expect(formatSummaryTable([], run([], 0))).not.toContain('unknown types');
});
