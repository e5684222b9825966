import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, runCli } from '../support/cliRunner';

// An archive that crosses the edge of --from/--to is read again by every run over that range (it is never marked
// done). Records without any id must not be counted again each time.
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
  for (let i = 0; i < 3; i++) {
    const output = path.join(dir, `run${i}.ndjson`);
    const result = await runCli(['run', '-i', archive, '--from', '2024-03-01', '--to', '2024-03-02', '--state', path.join(dir, 'state'), '-o', output, '--no-table', '--log-format', 'json']);
    expect(result.code).toBe(0);
    runs.push(readNdjson(readFileSync(output, 'utf8')));
  }
  // First run: 4 logins on 2024-03-01 (three without an id, one with), the 03-05 record out of range.
  const daily = runs[0].find((e) => e.event.summary === 'daily').event;
  expect([daily.day, daily.logins, daily.events]).toEqual(['2024-03-01', 4, 4]);
  // Later runs read the archive again, find all four already counted, and re-send nothing.
  for (const events of runs.slice(1)) {
    expect(events.map((e) => e.event.summary)).toEqual(['run']);
    const run = events[0].event;
    expect([run.records, run.duplicates, run.out_of_range, run.summaries]).toEqual([5, 4, 1, 0]);
  }
});
