import type { DailyEvent, RunEvent } from '../rollup/summaryEvent';

const COLUMNS: [string, keyof DailyEvent][] = [
  ['tenant', 'tenant'],
  ['day', 'day'],
  ['logins', 'logins'],
  ['failed', 'failed_logins'],
  ['signups', 'signups'],
  ['active', 'active_users'],
  ['breached', 'breached_passwords'],
  ['m2m', 'm2m_tokens'],
  ['billable', 'm2m_tokens_billable'],
  ['events', 'events'],
];

/** The short per-day table printed after a run, for the person at the terminal. */
export function formatSummaryTable(days: readonly DailyEvent[], run: RunEvent): string {
  const rows = [COLUMNS.map(([title]) => title), ...days.map((d) => COLUMNS.map(([, key]) => String(d[key])))];
  // reduce, not Math.max(...rows): a long backfill has more rows than a call's arguments can hold.
  const widths = COLUMNS.map((_, i) => rows.reduce((widest, r) => Math.max(widest, r[i]!.length), 0));
  const lines = rows.map((row) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  const totals =
    `${run.objects} files, ${run.records} records, ${run.duplicates} duplicates, ${run.malformed} malformed, ` +
    `${run.rejected} rejected, ${run.out_of_range} out of range` +
    (run.unknown_types_count > 0
      ? `; unknown types: ${run.unknown_types.join(', ')}${run.unknown_types_count > run.unknown_types.length ? ` and ${run.unknown_types_count - run.unknown_types.length} more` : ''}`
      : '');
  return [...(days.length ? lines : ['no records in range']), '', totals].join('\n') + '\n';
}
