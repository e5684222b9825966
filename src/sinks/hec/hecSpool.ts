/**
 * The spool: events HEC did not take, kept on disk until a later run delivers them. One NDJSON file per
 * run (`hec-<run id>.ndjson`), each line the envelope exactly as it was sent. Every write goes to a
 * temporary file that is renamed over the target, so a crash leaves the old or the new file, never half.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SummaryEnvelope } from '../../rollup/summaryEvent';
import { HecSpoolError } from './hecErrors';

export const DEFAULT_SPOOL_DIR = './.auth0-usage/spool';

const SPOOL_FILE = /^hec-.+\.ndjson$/;

export type SpoolFileContents = { ok: true; envelopes: SummaryEnvelope[] } | { ok: false; reason: string };

export class HecSpool {
  readonly dir: string;
  readonly #runId: string;
  /** Lines this run spooled, in order; its file is rewritten whole on each addition. */
  readonly #lines: string[] = [];
  #ownFile: string | undefined;

  constructor(dir: string, runId: string) {
    this.dir = dir;
    this.#runId = runId.replace(/[^A-Za-z0-9._-]/g, '_');
  }

  /** This run's spool file, once it has written one. */
  get ownFile(): string | undefined {
    return this.#ownFile;
  }

  /** Spool files of earlier runs, oldest first. */
  async earlierFiles(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new HecSpoolError(`cannot read the HEC spool directory ${this.dir}: ${(error as Error).message}`);
    }
    const files = await Promise.all(
      names
        .filter((name) => SPOOL_FILE.test(name))
        .map((name) => path.join(this.dir, name))
        .filter((file) => file !== this.#ownFile)
        .map(async (file) => ({ file, mtime: (await fs.stat(file)).mtimeMs })),
    );
    files.sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
    return files.map((entry) => entry.file);
  }

  async read(file: string): Promise<SpoolFileContents> {
    const text = await fs.readFile(file, 'utf8');
    const envelopes: SummaryEnvelope[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return { ok: false, reason: `line ${i + 1} is not JSON` };
      }
      const event = (value as { event?: unknown } | null)?.event;
      if (typeof value !== 'object' || typeof event !== 'object' || event === null) {
        return { ok: false, reason: `line ${i + 1} is not a HEC event envelope` };
      }
      envelopes.push(value as SummaryEnvelope);
    }
    return { ok: true, envelopes };
  }

  /** Keeps only `remaining` in an earlier run's file, deleting the file when nothing remains. */
  async replace(file: string, remaining: readonly string[]): Promise<void> {
    try {
      if (remaining.length === 0) await fs.rm(file, { force: true });
      else await writeAtomically(file, ndjson(remaining));
    } catch (error) {
      throw new HecSpoolError(`cannot update the HEC spool file ${file}: ${(error as Error).message}`);
    }
  }

  /** Adds events (as serialized for HEC) to this run's spool file. */
  async add(jsonLines: readonly string[]): Promise<void> {
    if (jsonLines.length === 0) return;
    try {
      await fs.mkdir(this.dir, { recursive: true });
      this.#ownFile ??= await this.#freshFileName();
      this.#lines.push(...jsonLines);
      await writeAtomically(this.#ownFile, ndjson(this.#lines));
    } catch (error) {
      throw new HecSpoolError(`cannot write the HEC spool in ${this.dir}: ${(error as Error).message}`);
    }
  }

  /** hec-<run id>.ndjson, or with a suffix if a file of that name is already waiting to be sent. */
  async #freshFileName(): Promise<string> {
    for (let n = 1; ; n++) {
      const file = path.join(this.dir, `hec-${this.#runId}${n === 1 ? '' : `-${n}`}.ndjson`);
      try {
        await fs.access(file);
      } catch {
        return file;
      }
    }
  }
}

function ndjson(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  const handle = await fs.open(temporary, 'wx');
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
