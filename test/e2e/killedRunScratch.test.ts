import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCli } from '../support/cliRunner';
import { testTempDir } from '../support/testTempDir';
import { login, writeArchive } from '../unit/state/stateTestKit';

// A run or an S3 state's local copy SIGKILLed (or OOM-killed) leaves its folder under TMPDIR: nothing of its own
// cleanup runs. The next run on the host removes those of processes that are gone, and says so.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

let dir: string;
beforeAll(() => {
  dir = testTempDir('auth0-usage-killed-scratch-');
});

test('the next run removes the temporary folders that killed runs of this host left, and only those', async () => {
  const archives = path.join(dir, 'archives');
  writeArchive(archives, 'a.ndjson', [login(1, '2024-03-01T10:00:00.000Z', 'u1')]);
  const tmp = path.join(dir, 'tmp');
  // A process that has exited: its id names the folders it left.
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_');
  const left = [`auth0-usage-run-${host}-${dead}-0badc0de`, `auth0-usage-state-${host}-${dead}-c0ffee00`];
  const others = [`auth0-usage-run-another-host-${dead}-0badc0de`, 'unrelated'];
  for (const name of [...left, ...others]) {
    mkdirSync(path.join(tmp, name, 'part-0'), { recursive: true });
    writeFileSync(path.join(tmp, name, 'part-0', 'work-1.ids'), Buffer.alloc(4096));
  }

  const output = path.join(dir, 'out.ndjson');
  const run = await spawnCli(CLI, ['run', '--input', archives, '--output', output, '--no-table', '--no-progress', '--log-format', 'json'], {
    cwd: dir,
    env: { PATH: process.env.PATH, TMPDIR: tmp },
  });
  expect(run.code).toBe(0);
  expect(readdirSync(tmp).sort()).toEqual([...others].sort());
  const said = run.stderr.split('\n').filter((line) => line.includes('removed the temporary folders of runs that were killed'));
  expect(said.map((line) => JSON.parse(line).removed.sort())).toEqual([left.map((name) => path.join(tmp, name)).sort()]);
});
