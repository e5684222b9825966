import { mkdirSync, promises as fs, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/**
 * mkdir -p. Not `mkdir(dir, { recursive: true })`: Node's loops forever, at full CPU and deaf to signals, where the
 * kernel says ENOENT for a folder whose parent exists (any new folder under /proc). Here each leading part of the
 * path is made once, from the top, and the first error is thrown as it is. A file where a folder should be fails
 * as Node's does: EEXIST for `dir` itself, ENOTDIR for a file on the way to it.
 */
export function makeDirsSync(dir: string): void {
  for (const prefix of prefixes(dir)) {
    try {
      mkdirSync(prefix);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      checkFolder(prefix, dir, statSync(prefix));
    }
  }
}

/** makeDirsSync, without blocking the event loop. */
export async function makeDirs(dir: string): Promise<void> {
  for (const prefix of prefixes(dir)) {
    try {
      await fs.mkdir(prefix);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      checkFolder(prefix, dir, await fs.stat(prefix));
    }
  }
}

/**
 * Every leading part of `dir` as written, shortest first: not resolved, since the kernel resolves `a/b/..` only
 * once `a/b` exists (so `a/b` is made too, as mkdir -p does).
 */
function prefixes(dir: string): string[] {
  const out: string[] = [];
  let at = dir.startsWith(path.sep) ? path.sep : '';
  for (const part of dir.split(path.sep)) {
    if (part === '') continue;
    at = at === '' || at.endsWith(path.sep) ? `${at}${part}` : `${at}${path.sep}${part}`;
    out.push(at);
  }
  return out;
}

/** What exists at `prefix` must be a folder: EEXIST when it is `dir` itself, ENOTDIR on the way to it. */
function checkFolder(prefix: string, dir: string, stats: Stats): void {
  if (stats.isDirectory()) return;
  const code = prefix === dir || path.resolve(prefix) === path.resolve(dir) ? 'EEXIST' : 'ENOTDIR';
  throw Object.assign(new Error(`${code}: ${code === 'EEXIST' ? 'file already exists' : 'not a directory'}, mkdir '${dir}'`), { code, path: dir });
}
