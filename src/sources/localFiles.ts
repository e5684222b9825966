import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { InputError, InputGoneError, type InputObject, type Source } from './inputObject';
import { isOutputTempFile } from '../support/outputTempFile';
import { InputFilter } from './inputFilter';
import { dayRangeFilter, type DayRange } from './datePath';

export interface LocalFileSourceOptions {
  /** --include/--exclude; default: the default exclusions (dot files, *.md). */
  filter?: InputFilter;
  /** Files and folders the run itself writes (--output, --quarantine, the HEC spool): never read as input. */
  ownOutputs?: readonly string[];
  /** --from/--to: files below the input folder whose path names a day far outside them are not listed (datePath). */
  dayRange?: DayRange;
  /**
   * The files (device:inode) already listed by the run's other inputs, shared between them: a file reached through
   * two inputs (`--input logs --input logs-link`) is read once, under the first input's name. Default: this input's own.
   */
  listedFiles?: Set<string>;
}

const READ_CHUNK = 1 << 20;

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
};

/** `listed`: the file was listed, so ENOENT means it was deleted since (InputGoneError), not a wrong path. */
function inputError(where: string, err: unknown, listed = false): InputError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && REASONS[code]) ?? code ?? (err as Error)?.message ?? String(err);
  return new (listed && code === 'ENOENT' ? InputGoneError : InputError)(`cannot read input ${where}: ${reason}`, { cause: err });
}

class LocalFile implements InputObject {
  constructor(
    readonly name: string,
    readonly size: number,
    readonly version: string,
  ) {}

  async open(): Promise<Readable> {
    const stream = fs.createReadStream(this.name, { highWaterMark: READ_CHUNK });
    try {
      // Surface open failures (deleted since listing, permissions) as a rejection, not a stream error.
      await once(stream, 'ready');
    } catch (err) {
      stream.destroy();
      throw inputError(this.name, err, true);
    }
    return stream;
  }
}

/**
 * A file, or every regular file under a directory (recursively, symlinks followed; each file once, however many
 * names reach it) that the --include/--exclude filter admits, in path order so runs over the same tree read objects
 * in the same order. The job's own outputs
 * and temporary output files are skipped.
 */
export class LocalFileSource implements Source {
  readonly listsWhole = true;
  readonly #filter: InputFilter;
  readonly #ownOutputs: readonly string[];
  readonly #inDays: (relative: string) => boolean;
  readonly #listedFiles: Set<string>;
  /** The files list() left out because another input listed them first. */
  #listedByAnotherInput = 0;
  /** Files this input listed itself (a file reached twice within it is not another input's). */
  readonly #ownFiles = new Set<string>();

  constructor(
    readonly input: string,
    options: LocalFileSourceOptions = {},
  ) {
    this.#filter = options.filter ?? new InputFilter();
    this.#ownOutputs = (options.ownOutputs ?? []).map((p) => path.resolve(p));
    this.#inDays = dayRangeFilter(options.dayRange);
    this.#listedFiles = options.listedFiles ?? new Set();
  }

  async *list(): AsyncGenerator<InputObject> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(this.input);
    } catch (err) {
      throw inputError(this.input, err);
    }
    if (stat.isFile()) {
      if (this.#firstListing(stat)) yield toObject(this.input, stat);
      return;
    }
    if (!stat.isDirectory()) throw new InputError(`cannot read input ${this.input}: not a regular file or directory`);
    const files: Array<{ name: string; stat: fs.Stats }> = [];
    // Matched below the input folder, as an S3 key below its prefix: a date in the folder's own path says nothing.
    const admits = (name: string) => {
      const relative = toSlashes(path.relative(this.input, name));
      return !this.#isOwnOutput(name) && this.#filter.admits(relative) && this.#inDays(relative);
    };
    await collect(this.input, new Set(), files, admits);
    // Plain code-unit order: independent of locale, and the same order as `LC_ALL=C sort`.
    files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // A file reached under two names (a symlink or a hard link to another file of the tree, a linked folder, or
    // another input) is read once, under the first name in that order: read twice, its records without a log_id
    // would count twice.
    for (const file of files) {
      if (this.#firstListing(file.stat)) yield toObject(file.name, file.stat);
    }
  }

  get listedByAnotherInput(): number {
    return this.#listedByAnotherInput;
  }

  /** Whether this file is listed for the first time in the run (by any input sharing `listedFiles`). */
  #firstListing(stat: fs.Stats): boolean {
    const identity = `${stat.dev}:${stat.ino}`;
    if (this.#listedFiles.has(identity)) {
      if (!this.#ownFiles.has(identity)) this.#listedByAnotherInput++;
      return false;
    }
    this.#listedFiles.add(identity);
    this.#ownFiles.add(identity);
    return true;
  }

  /** The run's own output, or a file in its spool folder (already refused by the CLI; this holds for any caller). */
  #isOwnOutput(name: string): boolean {
    const absolute = path.resolve(name);
    return this.#ownOutputs.some((own) => absolute === own || absolute.startsWith(own + path.sep));
  }
}

function toSlashes(relative: string): string {
  return path.sep === '/' ? relative : relative.split(path.sep).join('/');
}

function toObject(name: string, stat: fs.Stats): InputObject {
  return new LocalFile(name, stat.size, `${stat.mtime.getTime()}-${stat.size}`);
}

/** Walks a directory; `seen` holds the real paths of directories entered, so symlink loops end. */
async function collect(dir: string, seen: Set<string>, out: Array<{ name: string; stat: fs.Stats }>, admits: (name: string) => boolean): Promise<void> {
  let entries: fs.Dirent[];
  try {
    const real = await fs.promises.realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw inputError(dir, err);
  }
  for (const entry of entries) {
    // An unfinished --output or --quarantine of this job (another run's, or one a kill left behind) is not input.
    if (isOutputTempFile(entry.name)) continue;
    const name = path.join(dir, entry.name);
    let stat: fs.Stats | undefined;
    if (entry.isFile()) stat = await statOrThrow(name);
    else if (entry.isDirectory()) await collect(name, seen, out, admits);
    else if (entry.isSymbolicLink()) {
      stat = await statOrThrow(name); // a dangling link is an error, not a silently skipped input
      if (stat.isDirectory()) {
        await collect(name, seen, out, admits);
        stat = undefined;
      }
    }
    // Sockets, FIFOs and devices are not archives.
    if (stat?.isFile() && admits(name)) out.push({ name, stat });
  }
}

async function statOrThrow(name: string): Promise<fs.Stats> {
  try {
    return await fs.promises.stat(name);
  } catch (err) {
    throw inputError(name, err);
  }
}
