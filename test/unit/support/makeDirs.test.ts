import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDirs, makeDirsSync } from '../../../src/support/makeDirs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-dirs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['makeDirsSync', async (d: string) => makeDirsSync(d)],
  ['makeDirs', makeDirs],
])('%s', (_name, make) => {
  test('makes every missing folder, and leaves existing ones as they are', async () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    await make(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await make(deep);
    await make(dir);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  test('a path with .. after a folder still to make: that folder is made too, as the kernel needs it to resolve ..', async () => {
    // Written out: path.join would tidy the .. away.
    const target = `${dir}/a/b/../c`;
    await make(target);
    expect([statSync(path.join(dir, 'a', 'b')).isDirectory(), statSync(path.join(dir, 'a', 'c')).isDirectory()]).toEqual([true, true]);
    // Relative to the working folder, as a user gives it.
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await make('r/s/../t');
    } finally {
      process.chdir(cwd);
    }
    expect([statSync(path.join(dir, 'r', 's')).isDirectory(), statSync(path.join(dir, 'r', 't')).isDirectory()]).toEqual([true, true]);
  });

  test('a file where a folder should be is an error, as mkdir -p says it: EEXIST for the folder itself, ENOTDIR on the way', async () => {
    writeFileSync(path.join(dir, 'file'), 'x');
    await expect(make(path.join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(make(path.join(dir, 'file', 'sub', 'deeper'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node's own recursive mkdir loops forever here: mkdir of a new folder under /proc says ENOENT.
  test('a folder the kernel will not make under /proc fails at once with ENOENT', async () => {
    await expect(make('/proc/auth0-usage-nope/sub')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
