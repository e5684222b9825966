/**
 * What a local state's commit makes durable before the manifest names it, and before the sweep removes what the
 * previous manifest named: the built binary's own system calls, as strace (a real process) sees them. A power loss
 * cannot be had in a test; the order of fsync, rename and unlink is what decides what survives one.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { testTempDir } from '../support/testTempDir';
import { login, writeArchive } from '../unit/state/stateTestKit';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
// strace is a Linux tool, and may not be installed (or allowed to trace) everywhere the suite runs.
const traced = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', 'true']).status === 0 ? test : test.skip;

interface Call {
  call: 'fsync' | 'rename' | 'unlink';
  /** The folder synced, the rename's target, or the file removed. */
  path: string;
}

/** One run of the built binary under strace: its fsyncs, renames and unlinks, in the order they were made. */
function tracedRun(archives: string, state: string, output: string, traceFile: string): Call[] {
  const run = spawnSync(
    'strace',
    ['-f', '-qq', '-y', '-e', 'trace=fsync,rename,renameat,renameat2,unlink,unlinkat', '-o', traceFile,
      process.execPath, CLI, 'run', '-i', archives, '--state', state, '-o', output, '--no-table', '--no-progress', '--log-format', 'json'],
    { cwd: ROOT, env: { PATH: process.env.PATH }, encoding: 'utf8' },
  );
  expect([run.status, run.stderr.match(/"level":"error".*/)?.[0]]).toEqual([0, undefined]);
  const calls: Call[] = [];
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    // `<pid> call(args…) = 0`, or the call's first half `<pid> call(args… <unfinished ...>`: its start is its place.
    if (line.includes('resumed>')) continue;
    const fsync = /^\d+ +fsync\(\d+<([^>]+)>/.exec(line);
    if (fsync) calls.push({ call: 'fsync', path: fsync[1]! });
    else if (/^\d+ +rename(at2?)?\(/.test(line)) calls.push({ call: 'rename', path: [...line.matchAll(/"([^"]*)"/g)][1]![1]! });
    else if (/^\d+ +unlink(at)?\(/.test(line)) calls.push({ call: 'unlink', path: /"([^"]*)"/.exec(line)![1]! });
  }
  return calls;
}

/** Where `call` on `file` is among the calls, the last one if it was made more than once; -1 when never. */
function lastIndex(calls: Call[], call: Call['call'], file: string): number {
  for (let i = calls.length - 1; i >= 0; i--) if (calls[i]!.call === call && calls[i]!.path === file) return i;
  return -1;
}
/** Whether `folder` was fsynced after call `from` and before call `to`. */
const syncedBetween = (calls: Call[], folder: string, from: number, to: number) =>
  calls.some((c, i) => i > from && i < to && c.call === 'fsync' && c.path === folder);

traced('a commit syncs the folders of the object list and of every day file before the manifest names them, and the manifest before the sweep', () => {
  const dir = testTempDir('auth0-usage-durability-');
  const state = path.join(dir, 'state');
  const archives = path.join(dir, 'archives');
  writeArchive(archives, 'night1.ndjson', [login(1, '2024-03-01T10:00:00Z', 'u1'), login(2, '2024-03-02T10:00:00Z', 'u2', 'beta')]);

  // A new state: objects/, days/, days/acme and days/beta are all made by this commit.
  const first = tracedRun(archives, state, path.join(dir, 'out1.ndjson'), path.join(dir, 'trace1'));
  const manifest1 = lastIndex(first, 'rename', path.join(state, 'manifest.json'));
  const manifestData1 = JSON.parse(readFileSync(path.join(state, 'manifest.json'), 'utf8'));
  const objects1 = lastIndex(first, 'rename', path.join(state, manifestData1.objects.file));
  expect(objects1).toBeGreaterThan(-1);
  expect(manifest1).toBeGreaterThan(objects1);
  // The object list's name: its folder (made just now) and the state's folder that holds it.
  expect([syncedBetween(first, path.join(state, 'objects'), objects1, manifest1), syncedBetween(first, state, objects1, manifest1)]).toEqual([true, true]);
  // Each day file (2 tenant-days, an aggregate and a log_id file each): its tenant's folder, days/ and the state.
  const dayFiles = manifestData1.days.flatMap((d: { aggregate: string; logIds: string }) => [d.aggregate, d.logIds]);
  expect(dayFiles).toHaveLength(4);
  for (const name of dayFiles) {
    const renamed = lastIndex(first, 'rename', path.join(state, name));
    expect(renamed).toBeGreaterThan(-1);
    const folders = [path.dirname(path.join(state, name)), path.join(state, 'days'), state];
    expect(folders.map((folder) => [name, folder, syncedBetween(first, folder, renamed, manifest1)])).toEqual(folders.map((folder) => [name, folder, true]));
  }

  // The next night changes acme's day: its sweep removes the files the first manifest named, which must not
  // happen before the new manifest's name is on disk (a power loss would leave the old manifest naming them).
  writeArchive(archives, 'night2.ndjson', [login(3, '2024-03-01T11:00:00Z', 'u3')]);
  const second = tracedRun(archives, state, path.join(dir, 'out2.ndjson'), path.join(dir, 'trace2'));
  const manifest2 = lastIndex(second, 'rename', path.join(state, 'manifest.json'));
  const acme1 = manifestData1.days.find((d: { tenant: string }) => d.tenant === 'acme');
  const swept = lastIndex(second, 'unlink', path.join(state, acme1.aggregate));
  expect(swept).toBeGreaterThan(manifest2);
  expect(syncedBetween(second, state, manifest2, swept)).toBe(true);
});
