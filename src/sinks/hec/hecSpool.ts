/**
 * The spool: events HEC did not take, kept on disk until a later run delivers them. One NDJSON file per
 * run (`hec-<run id>.to-<destination>.ndjson`), each line the envelope exactly as it was sent. The destination
 * (spoolDestination) tells apart jobs that share a spool folder: a run resends only the files written for its own
 * HEC URL and index (and files from before destinations were named, `hec-<run id>.ndjson`). A run appends to its file and
 * flushes it to disk at each addition, so a run that spools its summaries chunk by chunk writes each once. An
 * addition that fails is cut back off; a crash in the middle of one can only leave the file's last line cut
 * short, and read() skips such a line. Earlier runs' files are rewritten through a temporary file renamed over
 * them, never half. Events HEC refused for good (with no quarantine to take them) go to
 * `rejected-<run id>.ndjson` beside it, which is never resent.
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SummaryEnvelope } from '../../rollup/summaryEvent';
import { HecSpoolError } from './hecErrors';
import { errnoCode } from '../../support/errnoCode';
import { makeDirs } from '../../support/makeDirs';

/** Files the next run resends; `rejected-*.ndjson` never matches. */
const SPOOL_FILE = /^hec-.+\.ndjson$/;

/**
 * Whether a spool folder entry holds events waiting to be sent: the one rule the sender and `status` share.
 * `rejected-*.ndjson` (events HEC refused for good) and temporary files of a rewrite are not waiting.
 */
export function isWaitingSpoolFile(name: string): boolean {
  return SPOOL_FILE.test(name);
}

/** A spool file's destination, from its name; undefined for a file named before destinations were. */
const DESTINATION = /\.to-([0-9a-f]{8})\.ndjson$/;

/**
 * Where a run's events go, as a spool file's name says it: 8 hex digits of a hash of the HEC URL (as displayed: no
 * credentials) and the index (none: the token's default). Not the token: it is a secret, and it may be rotated.
 */
export function spoolDestination(url: string, index: string | undefined): string {
  return createHash('sha256').update(`${url}\n${index ?? ''}`).digest('hex').slice(0, 8);
}

/** Earlier runs' spool files: this destination's (oldest first), and those written for another. */
export interface EarlierSpoolFiles {
  files: string[];
  elsewhere: string[];
}

/** Events HEC refused for good, kept beside the spool and never resent. */
export function isRejectedSpoolFile(name: string): boolean {
  return /^rejected-.+\.ndjson$/.test(name);
}

/** The events a spool file's text holds, as the sender and `status` count them: its non-empty lines. */
export function spooledLines(text: string): number {
  return text.split('\n').filter((line) => line.trim() !== '').length;
}

export type SpoolFileContents =
  /** `cutShort`: the file ended in an incomplete line (a crash while it was written), which was skipped. */
  | { ok: true; envelopes: SummaryEnvelope[]; cutShort: boolean }
  /** `lines`: its non-empty lines (events left waiting in it, as `status` counts them); 0 when it cannot be read. */
  | { ok: false; reason: string; lines: number };

export class HecSpool {
  readonly dir: string;
  readonly #runId: string;
  readonly #destination: string;
  #ownFile: string | undefined;

  /** `destination`: spoolDestination() of the run's HEC URL and index. */
  constructor(dir: string, runId: string, destination: string) {
    this.dir = dir;
    this.#runId = runId.replace(/[^A-Za-z0-9._-]/g, '_');
    this.#destination = destination;
  }

  /** spoolDestination() of this run's HEC URL and index, as its files' names end (`.to-<destination>.ndjson`). */
  get destination(): string {
    return this.#destination;
  }

  /** This run's spool file, once it has written one. */
  get ownFile(): string | undefined {
    return this.#ownFile;
  }

  /** Spool files of earlier runs: those this run sends (its destination's, and unnamed ones), oldest first; and the rest. */
  async earlierFiles(): Promise<EarlierSpoolFiles> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], elsewhere: [] };
      throw new HecSpoolError(`cannot read the HEC spool directory ${this.dir}: ${(error as Error).message}`);
    }
    const waiting = names.filter(isWaitingSpoolFile).filter((name) => path.join(this.dir, name) !== this.#ownFile);
    const ours = (name: string) => {
      const destination = DESTINATION.exec(name)?.[1];
      return destination === undefined || destination === this.#destination;
    };
    const entries = await Promise.all(waiting.filter(ours).map((name) => spoolEntry(path.join(this.dir, name))));
    const files = entries.filter((entry) => entry !== undefined);
    files.sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
    return { files: files.map((entry) => entry.file), elsewhere: waiting.filter((name) => !ours(name)).sort() };
  }

  /**
   * The index a spool file's events were sent with (its first line's `index`), for telling whose a file is: '' when
   * they named none (the token's default), undefined when the file cannot be read.
   */
  async indexOf(file: string): Promise<string | undefined> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(file, 'r');
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
      const first = buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0]!;
      const index = (JSON.parse(first) as { index?: unknown }).index;
      return typeof index === 'string' ? index : '';
    } catch {
      return undefined;
    } finally {
      await handle?.close();
    }
  }

  /** The file's envelopes, or why it cannot be used (it is then left in place for the operator). */
  async read(file: string): Promise<SpoolFileContents> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      // Gone since it was listed: another run sent it (runs take turns with the spool, so never half-sent).
      if (errnoCode(error) === 'ENOENT') return { ok: true, envelopes: [], cutShort: false };
      return { ok: false, reason: `cannot read: ${errnoCode(error)}`, lines: 0 };
    }
    const envelopes: SummaryEnvelope[] = [];
    const lines = text.split('\n');
    const unusable = (reason: string): SpoolFileContents => ({ ok: false, reason, lines: spooledLines(text) });
    let cutShort = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        // Only the very end of the file, with no newline after it, can be an addition cut short by a crash.
        if (i === lines.length - 1) {
          cutShort = true;
          continue;
        }
        return unusable(`line ${i + 1} is not JSON`);
      }
      const event = (value as { event?: unknown } | null)?.event;
      if (typeof value !== 'object' || typeof event !== 'object' || event === null) {
        return unusable(`line ${i + 1} is not a HEC event envelope`);
      }
      envelopes.push(value as SummaryEnvelope);
    }
    return { ok: true, envelopes, cutShort };
  }

  /** Keeps only `remaining` in an earlier run's file, deleting the file when nothing remains. */
  async replace(file: string, remaining: readonly string[]): Promise<void> {
    try {
      if (remaining.length === 0) {
        await fs.rm(file, { force: true });
      } else {
        // The spool is sent oldest first by modification time: the rewrite keeps the file's place.
        const { atimeMs, mtimeMs } = await fs.stat(file);
        await writeAtomically(file, ndjson(remaining), { atime: atimeMs / 1000, mtime: mtimeMs / 1000 });
      }
    } catch (error) {
      throw new HecSpoolError(`cannot update the HEC spool file ${file}: ${(error as Error).message}`);
    }
  }

  /** Adds events (as serialized for HEC) to this run's spool file. */
  async add(jsonLines: readonly string[]): Promise<void> {
    if (jsonLines.length === 0) return;
    try {
      await makeDirs(this.dir);
      this.#ownFile ??= await this.#freshFileName();
      const handle = await fs.open(this.#ownFile, 'a');
      try {
        const { size } = await handle.stat();
        try {
          await handle.writeFile(ndjson(jsonLines), 'utf8');
          await handle.sync();
        } catch (error) {
          // A half-written line in the middle would make the whole file unreadable once more lines follow.
          await handle.truncate(size).catch(() => undefined);
          throw error;
        }
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new HecSpoolError(`cannot write the HEC spool in ${this.dir}: ${(error as Error).message}`);
    }
  }

  /**
   * Appends `{"reason", "envelope"}` lines for events HEC refused for good to rejected-<run id>.ndjson
   * and returns that file. Appended, not rewritten: such events are rare and the file is never resent.
   */
  async setAside(lines: readonly string[]): Promise<string> {
    const file = path.join(this.dir, `rejected-${this.#runId}.ndjson`);
    try {
      await makeDirs(this.dir);
      const handle = await fs.open(file, 'a');
      try {
        await handle.writeFile(ndjson(lines), 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new HecSpoolError(`cannot write the HEC rejected-events file ${file}: ${(error as Error).message}`);
    }
    return file;
  }

  /** hec-<run id>.to-<destination>.ndjson, with a suffix to the run id if a file of that name is already waiting. */
  async #freshFileName(): Promise<string> {
    for (let n = 1; ; n++) {
      const file = path.join(this.dir, `hec-${this.#runId}${n === 1 ? '' : `-${n}`}.to-${this.#destination}.ndjson`);
      try {
        await fs.access(file);
      } catch {
        return file;
      }
    }
  }
}

interface SpoolEntry {
  file: string;
  mtime: number;
}

/**
 * A directory entry as a spool file with its age; undefined for what is not a regular file or is gone
 * (deleted since readdir, a dangling link). An entry that cannot be examined sorts last, so that read()
 * reports it with a warning rather than the whole run failing.
 */
async function spoolEntry(file: string): Promise<SpoolEntry | undefined> {
  try {
    const stats = await fs.stat(file);
    return stats.isFile() ? { file, mtime: stats.mtimeMs } : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { file, mtime: Number.POSITIVE_INFINITY };
  }
}

function ndjson(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}

/** `times` (epoch seconds) are set on the temporary file, so the renamed file has them from the start. */
async function writeAtomically(file: string, content: string, times?: { atime: number; mtime: number }): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  const handle = await fs.open(temporary, 'wx');
  try {
    await handle.writeFile(content, 'utf8');
    if (times) await handle.utimes(times.atime, times.mtime);
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
