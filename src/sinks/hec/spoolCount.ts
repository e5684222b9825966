import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isRejectedSpoolFile, isWaitingSpoolFile, spooledLines } from './hecSpool';

export interface SpoolCount {
  /** Files whose events wait to be sent (what the next run resends). */
  files: number;
  /** Their non-empty lines: one event each. */
  events: number;
  /** Events HEC refused for good, kept in rejected-*.ndjson beside them: never resent, so not waiting. */
  rejected: number;
}

/** Events waiting in a HEC spool folder, by the sender's own rule (isWaitingSpoolFile); zero when the folder does not exist. */
export async function countSpooledEvents(dir: string): Promise<SpoolCount> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, events: 0, rejected: 0 };
    throw error;
  }
  const count: SpoolCount = { files: 0, events: 0, rejected: 0 };
  for (const name of names.sort()) {
    const waiting = isWaitingSpoolFile(name);
    if (!waiting && !isRejectedSpoolFile(name)) continue;
    const lines = await nonEmptyLines(path.join(dir, name));
    if (lines === undefined) continue;
    if (waiting) {
      count.files++;
      count.events += lines;
    } else count.rejected += lines;
  }
  return count;
}

/** Lines of a regular file; undefined for what is not one (a directory named like a spool file, gone since). */
async function nonEmptyLines(file: string): Promise<number | undefined> {
  try {
    if (!(await fs.stat(file)).isFile()) return undefined;
    const text = await fs.readFile(file, 'utf8');
    return spooledLines(text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
