import { availableParallelism } from 'node:os';
import { wholeNumberAtLeast } from './flagChecks';
import { UsageError } from './usageError';

/** The --decode-threads flag (AUTH0_USAGE_DECODE_THREADS through the environment's flags). */
export const decodeThreadsOption = {
  type: 'number',
  requiresArg: true,
  coerce: wholeNumberAtLeast('--decode-threads', 0),
  describe: 'Worker threads that gunzip and decode while this thread rolls up; 0 decodes on this thread [default: one per core]',
} as const;

/** What decides the decode threads: --decode-threads, and the older --no-decode-workers (which means 0). */
export interface DecodeThreadArgs {
  'decode-threads'?: number;
  'decode-workers'?: boolean;
}

/**
 * Decode threads for a run: --decode-threads (from the command line, else AUTH0_USAGE_DECODE_THREADS), 0 with
 * --no-decode-workers, else one per core (os.availableParallelism(): what the process may run on, cgroup limits
 * included). A main thread alone is 0.
 */
export function decodeThreadsFrom(args: DecodeThreadArgs, cores: number = availableParallelism()): number {
  const given = args['decode-threads'];
  if (args['decode-workers'] === false) {
    if (given !== undefined && given > 0) throw new UsageError(`--no-decode-workers and --decode-threads ${given} contradict each other: give one of them`);
    return 0;
  }
  return given ?? Math.max(1, cores);
}

/** libuv's own default pool size, for file system calls and DNS look-ups. */
const LIBUV_DEFAULT_POOL = 4;
/** libuv's upper bound on the pool. */
const LIBUV_MAX_POOL = 1024;

/**
 * The size libuv's thread pool should have for `decodeThreads`, or undefined to leave it alone. Gunzip runs on that
 * pool, not on the decode threads, so each decode thread can keep one pool thread busy inflating: with the default
 * 4 pool threads, more than four decode threads would wait on gunzip, and file reads would wait behind them. So:
 * one pool thread per decode thread on top of libuv's default. A UV_THREADPOOL_SIZE set by the user is kept.
 */
export function threadPoolSizeFor(decodeThreads: number, env: NodeJS.ProcessEnv): number | undefined {
  if (env.UV_THREADPOOL_SIZE !== undefined && env.UV_THREADPOOL_SIZE.trim() !== '') return undefined;
  return Math.min(LIBUV_MAX_POOL, LIBUV_DEFAULT_POOL + decodeThreads);
}
