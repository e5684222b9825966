import { closeSync, copyFileSync, createWriteStream, fsyncSync, openSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { type Readable, Transform, type Writable } from 'node:stream';
import { errnoCode } from '../support/errnoCode';
import { makeDirsSync } from '../support/makeDirs';
import { Auth0UsageError } from '../support/errors';
import { outputTempFile } from '../support/outputTempFile';

/** A file that cannot be written. The message names the file. */
export class OutputError extends Auth0UsageError {
  static override readonly code: string = 'ERR_OUTPUT';
}

/** Characters of lines written at once by writeAll. */
const WRITE_CHARS = 1 << 20;

/**
 * Lines already serialized, written as they are: as bytes, encoded when made. The text joined line by line is a
 * tree of strings in V8's young generation; queued in the streams as it is, it outlived a collection or two and was
 * copied into the old generation (most of a run's 265 MB of output for 50,000 tenants), only to die there.
 */
class NdjsonLines {
  readonly bytes: Buffer;
  constructor(text: string) {
    this.bytes = Buffer.from(text, 'utf8');
  }
}

/** Turns each value written into its JSON line (plain JSON.stringify: the values are acyclic data). */
function ndjsonSerializer(): Transform {
  return new Transform({
    objectMode: true,
    transform(value: unknown, _encoding, done) {
      done(null, value instanceof NdjsonLines ? value.bytes : `${JSON.stringify(value)}\n`);
    },
  });
}

/**
 * Writes one JSON value a line to a file (atomically: a temp file renamed into place on close, so a crashed
 * run never leaves half a file where the last good one was), to a device or pipe in place, or to stdout for `-`.
 */
export class NdjsonWriter {
  private serializer: NodeJS.ReadWriteStream;
  /** Makes a serializer: the first, and a fresh one after each publish(). */
  private readonly makeSerializer: () => NodeJS.ReadWriteStream;
  /** Whether the serializer takes writeAll()'s ready lines (the default one does). */
  private readonly takesLines: boolean;
  private out: Writable;
  private readonly tempFile?: string;
  private failure?: Error;
  /** The temporary file holds the output that could not be moved into place (named in the failure): close() keeps it. */
  private keepTempFile = false;
  /** stdout's reader went away (EPIPE): what is left is not written, and the run goes on as usual. */
  private readerGone = false;
  count = 0;

  /**
   * `stdout` is where `-` writes (the process's stdout unless a caller passes its own). `serializer` turns the
   * values written into lines; the default one (plain JSON.stringify) also takes writeAll()'s ready lines.
   */
  constructor(readonly target: string, stdout: NodeJS.WritableStream = process.stdout, serializer?: () => NodeJS.ReadWriteStream) {
    this.makeSerializer = serializer ?? ndjsonSerializer;
    this.serializer = this.makeSerializer();
    this.takesLines = serializer === undefined;
    if (target === '-') {
      this.out = stdout as Writable;
      this.out.on('error', this.onStdoutError);
      this.serializer.on('error', () => undefined); // destroyed by onStdoutError; write() and close() report
      this.serializer.pipe(this.out, { end: false });
    } else {
      // Everything that would stop the file from being written or moved into place is found now, before any input
      // is read: found at close, it would come after a state commit, and the run's summaries would be lost.
      const { fd, tempFile } = openOutput(target);
      this.tempFile = tempFile;
      this.out = this.pipeToFile(fd);
    }
  }

  private pipeToFile(fd: number): Writable {
    const file: WriteStream = createWriteStream(this.target, { fd });
    file.on('error', (err: NodeJS.ErrnoException) => {
      this.failure = new OutputError(`cannot write ${this.target}: ${errnoCode(err)}`);
      // pipe() lets go of a failed file; destroying the serializer wakes any write waiting for 'drain'.
      this.serializer.unpipe(file);
      (this.serializer as unknown as { destroy(error?: Error): void }).destroy(this.failure);
    });
    // The failure is kept and thrown by write() and close(); the destroyed serializer must not crash the process.
    this.serializer.on('error', () => undefined);
    this.serializer.pipe(file);
    return file;
  }

  /** Whether stdout's reader closed the pipe before everything was written (`-o - | head`). */
  get stdoutClosedEarly(): boolean {
    return this.readerGone;
  }

  async write(value: unknown): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.readerGone) return;
    this.count++;
    if (!this.serializer.write(value as never)) {
      // once() rejects when the serializer is destroyed by a file error: the caller hears of it here.
      await once(this.serializer, 'drain').catch(() => undefined);
      if (this.failure) throw this.failure;
    }
  }

  /**
   * Writes each value as its line, many lines a write (a write per line costs more than the line on many small
   * summaries), at most about WRITE_CHARS characters at once: a day of 300 000 event types stays bounded.
   */
  async writeAll(values: readonly unknown[]): Promise<void> {
    if (!this.takesLines) throw new Error('writeAll() needs the default serializer');
    let text = '';
    let lines = 0;
    for (const value of values) {
      text += `${JSON.stringify(value)}\n`;
      lines++;
      if (text.length >= WRITE_CHARS) {
        await this.writeLines(text, lines);
        text = '';
        lines = 0;
      }
    }
    if (lines > 0) await this.writeLines(text, lines);
  }

  private async writeLines(text: string, lines: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.readerGone) return;
    this.count += lines;
    if (!this.serializer.write(new NdjsonLines(text) as never)) {
      await once(this.serializer, 'drain').catch(() => undefined);
      if (this.failure) throw this.failure;
    }
  }

  /**
   * Resolves once every line written so far has reached the file (or stdout), and rejects with the failure if one
   * did not: a write error (a full disk) otherwise surfaces only at close(), after the run event has reported the
   * run as fine. The serializer turns a write into its line at once; the pipe holds back what the file has not
   * taken yet, and a write after those is called back once they were written.
   */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.readerGone) return;
    while ((this.serializer as unknown as Readable).readableLength > 0 && !this.failure && !this.readerGone) await this.drainedOrLater();
    if (this.failure || this.readerGone) {
      if (this.failure) throw this.failure;
      return;
    }
    const error = await new Promise<Error | null | undefined>((resolve) => this.out.write(Buffer.alloc(0), resolve));
    // A failed write calls back before the stream's 'error' event, which names the cause (kept as this.failure).
    if (error && !this.failure) await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.failure) throw this.failure;
    if (error && !this.readerGone) throw (this.failure = new OutputError(`cannot write ${this.target}: ${errnoCode(error)}`));
  }

  /**
   * Until the file drains or fails, or 25 ms: the pipe may also be about to move what it holds on a later turn,
   * with no 'drain' to come, so the caller looks again rather than wait for one.
   */
  private async drainedOrLater(): Promise<void> {
    const stop = new AbortController();
    await Promise.race([
      once(this.out, 'drain', { signal: stop.signal }).catch(() => undefined),
      delay(25, undefined, { signal: stop.signal }).catch(() => undefined),
    ]);
    stop.abort();
  }

  /** A reader that stops reading (`| head`) is not a failure of the run; any other error on stdout is, named. */
  private readonly onStdoutError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') this.readerGone = true;
    else this.failure ??= new OutputError(`cannot write stdout: ${errnoCode(err)}`);
    this.serializer.unpipe(this.out);
    // With an error, so that a write() waiting for 'drain' wakes up.
    (this.serializer as unknown as { destroy(error?: Error): void }).destroy(this.failure ?? new Error('stdout closed by its reader'));
  };

  /**
   * Moves what was written so far into place now, and goes on writing after it: a run with a state calls this
   * before its commit, so a crash after the commit cannot leave the file of the previous run there. The file is
   * moved in whole (a copy of it goes on taking writes, renamed over it on close): a crash at any point leaves
   * either the previous file or this one, never half of one. A device, a pipe or stdout is written in place.
   */
  async publish(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.tempFile === undefined) return;
    const finished = once(this.out, 'close');
    this.serializer.end();
    await finished.catch(() => undefined);
    if (this.failure) throw this.failure;
    const published = outputTempFile(`${this.target}.published`);
    try {
      copyFileSync(this.tempFile, published);
      syncFile(published);
      renameSync(published, this.target);
    } catch (err) {
      rmSync(published, { force: true });
      // The serializer is ended: later writes and close() must report this, not wait on a stream that is gone.
      this.keepTempFile = true;
      throw (this.failure = new OutputError(`cannot move the output into place at ${this.target} (${errnoCode(err)}); it is in ${this.tempFile}`));
    }
    this.serializer = this.makeSerializer();
    try {
      this.out = this.pipeToFile(openSync(this.tempFile, 'a'));
    } catch (err) {
      throw (this.failure = new OutputError(`cannot write ${this.target}: ${errnoCode(err)}`));
    }
  }

  /** Flushes and, for a file, moves it into place. `keep: false` discards a file target instead. */
  async close(keep = true): Promise<void> {
    if (this.target === '-') {
      if (this.failure) throw this.failure;
      if (this.readerGone) return;
      this.serializer.end();
      await once(this.serializer, 'end').catch(() => undefined);
      // stdout reports a failed write after the bytes have left the serializer: wait until it has taken the last.
      if (!this.readerGone && !this.failure) await new Promise<void>((resolve) => this.out.write('', () => resolve()));
      if (this.failure) throw this.failure;
      return;
    }
    if (!this.failure) {
      const finished = once(this.out, 'close');
      this.serializer.end();
      await finished.catch(() => undefined);
    }
    if (this.failure) {
      if (this.tempFile && !this.keepTempFile) rmSync(this.tempFile, { force: true });
      throw this.failure;
    }
    if (this.tempFile === undefined) return; // written in place (a device or pipe)
    if (!keep) return rmSync(this.tempFile, { force: true });
    try {
      renameSync(this.tempFile, this.target);
    } catch (err) {
      // Only a change made to the target during the run gets here: the output is kept where it was written.
      throw new OutputError(`cannot move the output into place at ${this.target} (${errnoCode(err)}); it is in ${this.tempFile}`);
    }
  }
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens where a file target's bytes go: a new temp file beside it, renamed into place on close, or, for a device or
 * a pipe such as /dev/null, the target itself (renaming over it would replace it: for root, /dev/null itself).
 * Creates the folder, and checks the target can be written, before any input is read.
 */
function openOutput(target: string): { fd: number; tempFile?: string } {
  const fail = (why: string) => new OutputError(`cannot write ${target}: ${why}`);
  if (/[\\/]$/.test(target)) throw fail('it names a folder, not a file');
  try {
    makeDirsSync(path.dirname(target));
  } catch (err) {
    // mkdir reports a path through a file as EEXIST, which reads as if the folder existed.
    throw fail(errnoCode(err) === 'EEXIST' ? 'part of its folder path is a file' : errnoCode(err));
  }
  let existing;
  try {
    existing = statSync(target, { throwIfNoEntry: false });
  } catch (err) {
    throw fail(errnoCode(err));
  }
  if (existing?.isDirectory()) throw fail('it is a folder');
  const inPlace = existing !== undefined && !existing.isFile();
  const tempFile = inPlace ? undefined : outputTempFile(target);
  try {
    return { fd: openSync(tempFile ?? target, 'w'), tempFile };
  } catch (err) {
    throw fail(errnoCode(err));
  }
}
