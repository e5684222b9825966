import { OutputError } from '../sinks/ndjsonFile';
import { errnoCode } from '../support/errnoCode';

/** Where the CLI writes; tests pass their own streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /**
   * Sets libuv's thread pool size (UV_THREADPOOL_SIZE). Only the bin entry gives it: libuv reads the variable once,
   * when the pool is first used, so it is called before the run's first file read or gunzip.
   */
  sizeThreadPool?: (size: number) => void;
  /** Told once the command's log format is known: whether its stderr lines are JSON (process warnings follow it). */
  logsJson?: (json: boolean) => void;
  /** Names the AUTH0_USAGE_* variable beside a flag only it gave, in a usage error's message (set by main()). */
  namingVariables?: (err: unknown) => unknown;
}

/**
 * Writes `text` to `stream`; settles once it is written, or rejects with the write's error (a full device, a reader
 * gone). A failed write of process.stdout is also emitted as 'error', which would crash the process unheard: the
 * listener stays on after a failure to take it.
 */
export function writeText(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    stream.on('error', onError);
    stream.write(text, (error?: Error | null) => {
      if (error) return reject(error);
      stream.off('error', onError);
      resolve();
    });
  });
}

/**
 * Writes a command's whole output (a status, a check's report): a stdout that cannot take it fails the command,
 * unless its reader has gone (`status | head`), which asked for no more.
 */
export async function printOutput(stdout: NodeJS.WritableStream, text: string): Promise<void> {
  try {
    await writeText(stdout, text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw new OutputError(`cannot write stdout: ${errnoCode(err)}`);
  }
}
