import { createWriteStream, mkdirSync, renameSync, rmSync, type WriteStream } from 'node:fs';
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
      try {
        mkdirSync(path.dirname(target), { recursive: true });
      } catch (err) {
        throw new OutputError(`cannot write ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const file: WriteStream = createWriteStream(this.tempFile);
      file.on('error', (err: NodeJS.ErrnoException) => {
        this.failure = new OutputError(`cannot write ${target}: ${err.code ?? err.message}`);
        // pipe() lets go of a failed file; destroying the serializer wakes any write waiting for 'drain'.
        this.serializer.unpipe(file);
        (this.serializer as unknown as { destroy(error?: Error): void }).destroy(this.failure);
      });
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
    if (keep) renameSync(this.tempFile!, this.target);
    else rmSync(this.tempFile!, { force: true });
  }
}
