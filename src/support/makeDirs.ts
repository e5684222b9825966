import { existsSync, mkdirSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';

/**
 * mkdir -p. Not `mkdir(dir, { recursive: true })`: Node's loops forever, at full CPU and deaf to signals, where the
 * kernel says ENOENT for a folder whose parent exists (any new folder under /proc). Here each missing folder is
 * made once, from the top, and the first error is thrown as it is. A file where a folder should be fails as
 * Node's does: EEXIST for `dir` itself, ENOTDIR for a file on the way to it.
 */
export function makeDirsSync(dir: string): void {
  for (const missing of missingFolders(dir)) {
    try {
      mkdirSync(missing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** makeDirsSync, without blocking the event loop. */
export async function makeDirs(dir: string): Promise<void> {
  for (const missing of missingFolders(dir)) {
    try {
      await fs.mkdir(missing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The folders of `dir` that do not exist yet, outermost first; throws when what does exist is not a folder. */
function missingFolders(dir: string): string[] {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let at = target;
  while (!existsSync(at)) {
    missing.push(at);
    if (path.dirname(at) === at) return missing.reverse();
    at = path.dirname(at);
  }
  if (!statSync(at).isDirectory()) {
    const code = at === target ? 'EEXIST' : 'ENOTDIR';
    throw Object.assign(new Error(`${code}: ${code === 'EEXIST' ? 'file already exists' : 'not a directory'}, mkdir '${target}'`), { code, path: target });
  }
  return missing.reverse();
}
