import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scratchDirFor, sweepAbandonedScratchDirs } from '../../../src/support/scratchDir';

let tmpdir: string;
beforeEach(() => {
  tmpdir = mkdtempSync(path.join(os.tmpdir(), 'scratch-sweep-'));
});
afterEach(() => rmSync(tmpdir, { recursive: true, force: true }));

/** The id of a process that has exited (the kernel does not hand it out again at once). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function folder(name: string): string {
  const dir = path.join(tmpdir, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'work-1.day'), 'x'.repeat(1000));
  return dir;
}

test('a new scratch folder is named by kind, host and this process, under the given temporary folder', () => {
  const dir = scratchDirFor('run', { tmpdir, hostname: 'cron-pod-7' });
  expect(path.dirname(dir)).toBe(tmpdir);
  expect(path.basename(dir)).toMatch(new RegExp(`^auth0-usage-run-cron-pod-7-${process.pid}-[0-9a-f]{8}$`));
  expect(existsSync(dir)).toBe(false);
  // A host name is a path segment only after anything but letters, digits, dots and dashes is replaced.
  expect(path.basename(scratchDirFor('state', { tmpdir, hostname: 'a/b c' }))).toMatch(/^auth0-usage-state-a_b_c-\d+-[0-9a-f]{8}$/);
});

test('removes the folders of this host\'s processes that are gone, and only those', async () => {
  const dead = deadPid();
  const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    const gone = [folder(`auth0-usage-run-host-a-${dead}-0123abcd`), folder(`auth0-usage-state-host-a-${dead}-89abcdef`)];
    const own = scratchDirFor('run', { tmpdir, hostname: 'host-a' });
    folder(path.basename(own));
    // Of this process's id but not given out by it: a former process's (a container restarted with the same pid).
    gone.push(folder(`auth0-usage-state-host-a-${process.pid}-fedcba98`));
    const kept = [
      folder(`auth0-usage-run-host-a-${live.pid}-0123abcd`), // running
      own, // this process's
      folder(`auth0-usage-run-host-b-${dead}-0123abcd`), // another host's (its own process ids)
      folder(`auth0-usage-run-host-a-${dead}-notahex1`), // not a name this code gives
      folder(`auth0-usage-${dead}-0123abcd`), // not a name this code gives
    ];
    expect(sweepAbandonedScratchDirs({ tmpdir, hostname: 'host-a' }).sort()).toEqual(gone.sort());
    expect(gone.filter((dir) => existsSync(dir))).toEqual([]);
    expect(kept.filter((dir) => !existsSync(dir))).toEqual([]);
  } finally {
    live.kill('SIGKILL');
  }
});

test('a temporary folder that cannot be listed removes nothing', () => {
  expect(sweepAbandonedScratchDirs({ tmpdir: path.join(tmpdir, 'missing'), hostname: 'host-a' })).toEqual([]);
});
