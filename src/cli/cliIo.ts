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
}
