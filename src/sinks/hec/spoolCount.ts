import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface SpoolCount {
  files: number;
  /** Non-empty lines: one event each. */
  events: number;
}

/** Events waiting in a HEC spool folder (*.ndjson files, one event a line); zero when the folder does not exist. */
export async function countSpooledEvents(dir: string): Promise<SpoolCount> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, events: 0 };
    throw error;
  }
  const count: SpoolCount = { files: 0, events: 0 };
  for (const name of names.filter((n) => n.endsWith('.ndjson'))) {
    const text = await fs.readFile(path.join(dir, name), 'utf8');
    count.files++;
    count.events += text.split('\n').filter((line) => line.trim() !== '').length;
  }
  return count;
}
