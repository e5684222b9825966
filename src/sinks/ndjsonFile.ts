import { createWriteStream, mkdirSync, openSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ndjson from 'ndjson';

/** A file that cannot be written. The message names the file. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/**
 * Writes one JSON value a line to a file (atomically: a temp file renamed into place on close, so a crashed
 * run never leaves half a file where the last good one was) or to stdout for `-`.
 */
export class NdjsonWriter {
  private readonly serializer: NodeJS.ReadWriteStream;
  private readonly out: Writable;
  private readonly tempFile?: string;
  private failure?: Error;
  count = 0;

  /** `stdout` is where `-` writes (the process's stdout unless a caller passes its own). */
  constructor(readonly target: string, stdout: NodeJS.WritableStream = process.stdout) {
    this.serializer = ndjson.stringify();
    if (target === '-') {
      this.out = stdout as Writable;
      this.serializer.pipe(this.out, { end: false });
    } else {
      this.tempFile = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
      // Everything that would stop the file from being written or moved into place is found now, before any input
      // is read: found at close, it would come after a state commit, and the run's summaries would be lost.
      const fd = openTempFile(target, this.tempFile);
      const file: WriteStream = createWriteStream(this.tempFile, { fd });
      file.on('error', (err: NodeJS.ErrnoException) => {
        this.failure = new OutputError(`cannot write ${target}: ${code(err)}`);
        // pipe() lets go of a failed file; destroying the serializer wakes any write waiting for 'drain'.
        this.serializer.unpipe(file);
        (this.serializer as unknown as { destroy(error?: Error): void }).destroy(this.failure);
      });
      // The failure is kept and thrown by write() and close(); the destroyed serializer must not crash the process.
      this.serializer.on('error', () => undefined);
      this.out = file;
      this.serializer.pipe(file);
    }
  }

  async write(value: unknown): Promise<void> {
    if (this.failure) throw this.failure;
    this.count++;
    if (!this.serializer.write(value as never)) {
      // once() rejects when the serializer is destroyed by a file error: the caller hears of it here.
      await once(this.serializer, 'drain').catch(() => undefined);
      if (this.failure) throw this.failure;
    }
  }

  /** Flushes and, for a file, moves it into place. `keep: false` discards a file target instead. */
  async close(keep = true): Promise<void> {
    if (this.target === '-') {
      this.serializer.end();
      await once(this.serializer, 'end').catch(() => undefined);
      return;
    }
    if (!this.failure) {
      const finished = once(this.out, 'close');
      this.serializer.end();
      await finished.catch(() => undefined);
    }
    if (this.failure) {
      rmSync(this.tempFile!, { force: true });
      throw this.failure;
    }
    if (!keep) return rmSync(this.tempFile!, { force: true });
    try {
      renameSync(this.tempFile!, this.target);
    } catch (err) {
      // Only a change made to the target during the run gets here: the output is kept where it was written.
      throw new OutputError(`cannot move the output into place at ${this.target} (${code(err)}); it is in ${this.tempFile}`);
    }
  }
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/** Creates the output's folder and temp file, and checks the target can be replaced by it; returns the file's fd. */
function openTempFile(target: string, tempFile: string): number {
  try {
    mkdirSync(path.dirname(target), { recursive: true });
  } catch (err) {
    // mkdir reports a path through a file as EEXIST, which reads as if the folder existed.
    const why = code(err) === 'EEXIST' ? 'part of its folder path is a file' : code(err);
    throw new OutputError(`cannot write ${target}: ${why}`);
  }
  const existing = statSync(target, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new OutputError(`cannot write ${target}: it is a folder`);
  try {
    return openSync(tempFile, 'w');
  } catch (err) {
    throw new OutputError(`cannot write ${target}: ${code(err)}`);
  }
}
