import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, runCli } from '../support/cliRunner';

// An archive that crosses the edge of --from/--to is done with for those days only: runs over them skip it, a run
// over more days reads it again. Records without any id must not be counted again then.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-noid-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('records without a log_id in an edge archive are counted once across runs', async () => {
  const archive = path.join(dir, 'archive.ndjson');
  const line = (fields: object) => JSON.stringify({ type: 's', tenant_name: 'acme', ...fields });
  writeFileSync(
    archive,
    [
      line({ date: '2024-03-01T10:00:00.000Z', user_id: 'u1' }),
      line({ date: '2024-03-01T11:00:00.000Z', user_id: 'u2' }),
      line({ date: '2024-03-01T12:00:00.000Z', user_id: 'u3' }),
      line({ date: '2024-03-01T13:00:00.000Z', user_id: 'u4', log_id: '90020240301130000000000000000000000000000000000000000004' }),
      line({ date: '2024-03-05T10:00:00.000Z', user_id: 'u5', log_id: '90020240305100000000000000000000000000000000000000000005' }),
    ].join('\n') + '\n',
  );
  const runs = [];
  const days = [
    ['--from', '2024-03-01', '--to', '2024-03-02'],
    ['--from', '2024-03-01', '--to', '2024-03-02'],
    ['--from', '2024-03-01', '--to', '2024-03-05'],
  ];
  for (const [i, range] of days.entries()) {
    const output = path.join(dir, `run${i}.ndjson`);
    const result = await runCli(['run', '-i', archive, ...range, '--state', path.join(dir, 'state'), '-o', output, '--no-table', '--log-format', 'json']);
    expect(result.code).toBe(0);
    runs.push(readNdjson(readFileSync(output, 'utf8')));
  }
  // First run: 4 logins on 2024-03-01 (three without an id, one with), the 03-05 record out of range.
  const daily = runs[0].find((e) => e.event.summary === 'daily').event;
  expect([daily.day, daily.logins, daily.events]).toEqual(['2024-03-01', 4, 4]);
  // The same days again: the archive is skipped, nothing is re-sent.
  expect(runs[1].map((e) => e.event.summary)).toEqual(['run']);
  expect([runs[1][0].event.objects, runs[1][0].event.records]).toEqual([0, 0]);
  // More days: the archive is read again; its four 03-01 records (three named by their place in it) are duplicates,
  // and the 03-05 one is new.
  const wider = runs[2].at(-1).event;
  expect([wider.objects, wider.records, wider.duplicates, wider.out_of_range]).toEqual([1, 5, 4, 0]);
  expect(runs[2].filter((e) => e.event.summary === 'daily').map((e) => [e.event.day, e.event.events])).toEqual([['2024-03-05', 1]]);
});

test('records without a log_id are counted once when a later run names the same folder by another path', async () => {
  // The state knows an object by its resolved path; a record without an id is named by its place in the object,
  // which must not depend on how the input was spelled (relative here, absolute next time, as a cron job may).
  const folder = path.join(dir, 'archives');
  mkdirSync(folder);
  const line = (day: string, user: string) => JSON.stringify({ type: 's', tenant_name: 'acme', date: `${day}T10:00:00.000Z`, user_id: user });
  writeFileSync(path.join(folder, 'a.ndjson'), [line('2024-03-01', 'u1'), line('2024-03-01', 'u2'), line('2024-03-01', 'u3'), line('2024-03-05', 'u4')].join('\n') + '\n');
  const state = path.join(dir, 'state');
  const run = async (input: string, to: string, output: string) => {
    const result = await runCli(['run', '-i', input, '--from', '2024-03-01', '--to', to, '--state', state, '-o', path.join(dir, output), '--no-table', '--log-format', 'json']);
    expect(result.code).toBe(0);
    return readNdjson(readFileSync(path.join(dir, output), 'utf8'));
  };
  const first = await run(path.relative(process.cwd(), folder), '2024-03-02', 'first.ndjson');
  expect(first.filter((e) => e.event.summary === 'daily').map((e) => [e.event.day, e.event.logins])).toEqual([['2024-03-01', 3]]);
  // The wider run reads the edge object again: its three 03-01 records are the ones already counted.
  const wider = await run(folder, '2024-03-05', 'wider.ndjson');
  expect(wider.filter((e) => e.event.summary === 'daily').map((e) => [e.event.day, e.event.logins])).toEqual([['2024-03-05', 1]]);
  const runEvent = wider.at(-1).event;
  expect([runEvent.objects, runEvent.records, runEvent.duplicates]).toEqual([1, 4, 3]);
});
