import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, runCli } from '../support/cliRunner';
import { kindOf, login, writeArchive } from '../unit/state/stateTestKit';

// KNOWN DEFECT, kept as test.failing until it is fixed: a --from/--to run does not record an object that holds a
// record outside its days, so the same command run again reads that object again; its in-range records are then
// de-duplicated only while their day's log_ids are kept (--dedup-days counted back from the newest day). A backfill
// longer than --dedup-days (or one into a state that holds later days) counts the first day's records again on
// every rerun, e.g. the rerun after a stopped backfill. Figures worked out by hand from the records below (UTC).
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-range-rerun-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.failing('the same --from/--to run over unchanged archives adds nothing, even for a day older than --dedup-days', async () => {
  const archives = path.join(dir, 'archives');
  // One object across --from: a record of 2024-01-01 (outside) and two of 2024-01-02 (inside).
  writeArchive(archives, 'a1.ndjson', [login(1, '2024-01-01T23:00:00.000Z', 'u1'), login(2, '2024-01-02T01:00:00.000Z', 'u2'), login(3, '2024-01-02T02:00:00.000Z', 'u3')]);
  // The backfill's last day, 59 days later: --dedup-days 45 keeps log_ids from 2024-01-17 on.
  writeArchive(archives, 'a2.ndjson', [login(4, '2024-03-01T10:00:00.000Z', 'u4')]);
  const run = async (name: string) => {
    const output = path.join(dir, `${name}.ndjson`);
    const args = ['run', '--input', archives, '--from', '2024-01-02', '--to', '2024-03-01', '--output', output, '--state', path.join(dir, 'state'), '--no-table', '--log-level', 'silent'];
    const result = await runCli(args);
    expect(result.code).toBe(0);
    const events = readNdjson(readFileSync(output, 'utf8'));
    return { events, run: events.at(-1).event };
  };

  const first = await run('first');
  expect(kindOf(first.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-01-02', 2], ['2024-03-01', 1]]);
  expect([first.run.objects, first.run.records, first.run.out_of_range]).toEqual([2, 4, 1]);

  const again = await run('again');
  // a1 is read again (it is not recorded); its two records of 2024-01-02 were counted by the first run.
  expect([again.run.objects, again.run.records, again.run.out_of_range, again.run.duplicates, again.run.dedup_unavailable]).toEqual([1, 3, 1, 2, 0]);
  expect(kindOf(again.events, 'daily')).toEqual([]);
});
