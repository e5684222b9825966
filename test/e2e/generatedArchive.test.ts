import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, runCli } from '../support/cliRunner';

// The seeded generator tallies what it writes; those tallies are an independent count to check the job against.
const GENERATOR = path.resolve(__dirname, '../../scripts/generate-archives.js');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-gen-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sum = (types: Record<string, number>, codes: string[]) => codes.reduce((n, code) => n + (types[code] ?? 0), 0);

test.each([
  ['firehose', ['--format', 'firehose']],
  ['firehose with newlines, plain text', ['--format', 'firehose', '--delimiter', 'newline', '--no-gzip']],
  ['webhook JSON Lines', ['--format', 'webhook']],
  ['Management API arrays', ['--format', 'array', '--no-gzip']],
])('%s: daily figures equal the generator’s own tallies', async (name, format) => {
  const out = path.join(dir, name.replace(/\W+/g, '-'));
  const truthFile = `${out}.truth.json`;
  execFileSync(process.execPath, [GENERATOR, '--out', out, '--days', '2', '--records', '1500', '--files-per-day', '2', '--seed', '5', '--truth', truthFile, ...format], { stdio: 'ignore' });
  const truth = JSON.parse(readFileSync(truthFile, 'utf8'));
  const output = `${out}.summaries.ndjson`;
  const result = await runCli(['run', '--input', out, '--output', output, '--no-table', '--log-format', 'json']);
  expect(result.code).toBe(0);
  const events = readNdjson(readFileSync(output, 'utf8'));
  const daily = events.filter((e) => e.event.summary === 'daily').map((e) => e.event);
  expect(daily.map((d) => [d.tenant, d.day])).toEqual(truth.days.map((t: any) => [t.tenant, t.day]));
  for (const [i, t] of truth.days.entries()) {
    const d = daily[i];
    expect([d.events, d.logins, d.signups, d.failed_logins, d.failed_signups, d.breached_passwords, d.active_users, d.m2m_tokens, d.m2m_tokens_billable, d.m2m_token_failures]).toEqual([
      t.events,
      sum(t.types, ['s']),
      sum(t.types, ['ss']),
      sum(t.types, ['f', 'fp', 'fu', 'fcoa', 'fens', 'fc', 'fco']),
      sum(t.types, ['fs']),
      sum(t.types, ['pwd_leak', 'signup_pwd_leak', 'reset_pwd_leak']),
      t.users,
      sum(t.types, ['seccft']),
      t.m2mBillable,
      sum(t.types, ['feccft']),
    ]);
  }
  const run = events[events.length - 1].event;
  expect([run.records, run.duplicates, run.malformed, run.rejected]).toEqual([truth.written, truth.written - truth.unique, 0, 0]);
});
