import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { isS3Url } from '../aws/s3Url';
import { wholeNumberAtLeast } from './flagChecks';
import type { ListedInput } from '../run/runListing';
import { UsageError } from './usageError';

/**
 * Below this many bytes, an input listed whole before reading (local folders) is decoded on this thread unless
 * the decode threads were given: starting decode threads and warming up their code costs more than the decoding.
 * Measured on 2 cores (docs/performance.md, "Small inputs"): the 642 KB of samples took 0.78 s of CPU on this
 * thread against 1.00 s with two threads (wall 0.60 s against 0.70 s); 5.3 MB took 1.19 s against 1.69 s (wall
 * 0.90 s against 1.08 s); at 21 MB the threads were 7% faster.
 */
export const SMALL_INPUT_BYTES = 8 * 1024 * 1024;

/** Decode threads, at most: each costs a thread and its memory, and threads past the cores gain nothing. */
const MAX_DECODE_THREADS = 256;

const DECODE_THREADS_DESCRIPTION = 'Worker threads that gunzip and decode while this thread rolls up; 0 decodes on this thread';

/** The --decode-threads flag of `merge` (AUTH0_USAGE_DECODE_THREADS through the environment's flags). */
export const decodeThreadsOption = {
  type: 'number',
  requiresArg: true,
  coerce: wholeNumberAtLeast('--decode-threads', 0, '', MAX_DECODE_THREADS),
  describe: `${DECODE_THREADS_DESCRIPTION} [default: one per core]`,
} as const;

/** `run`'s --decode-threads: its default leaves a small local input to this thread (decodesOnThisThread). */
export const runDecodeThreadsOption = {
  ...decodeThreadsOption,
  describe: `${DECODE_THREADS_DESCRIPTION} [default: one per core; none for local input under ${SMALL_INPUT_BYTES / 1024 / 1024} MiB]`,
} as const;

/**
 * --aggregate-on-decode-threads, of `run` and `merge`: each object's figures added up on its decode thread, the
 * main thread only de-duplicating (WorkerAggregation). Off by default, measured on 2 cores (docs/performance.md,
 * "On an AMD EPYC machine, with adding up on the decode threads"): the main thread's CPU falls by half on large
 * archives, which lifts the point where it limits a run from about 5 cores to about 11, but the whole run's CPU rises
 * by 4–16%, and an object of 50,000 tenants took 70% more memory. (Objects under 1 MiB stay on the main thread:
 * AGGREGATE_FROM_OBJECT_BYTES.)
 */
export const aggregateOnDecodeThreadsOption = {
  type: 'boolean',
  describe: "Add each object's figures up on its decode thread, leaving this thread only the de-duplication: for large archives on many cores (see the README) [default: off]",
} as const;

/** Whether a run with `threads` decode threads adds its objects' figures up on them (`given`: the flag). */
export function aggregatesOnDecodeThreads(threads: number, given: boolean | undefined): boolean {
  return threads > 0 && given === true;
}

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

/** Whether --decode-threads (or AUTH0_USAGE_DECODE_THREADS) or --no-decode-workers set the decode threads. */
export function decodeThreadsGiven(args: DecodeThreadArgs): boolean {
  return args['decode-threads'] !== undefined || args['decode-workers'] === false;
}

/**
 * Whether an object of a run with `threads` decode threads is decoded on this thread: with none, or when the
 * threads are the default and the whole input, listed before reading, is smaller than SMALL_INPUT_BYTES.
 */
export function decodesOnThisThread(threads: number, given: boolean, listed: ListedInput | undefined): boolean {
  if (threads === 0) return true;
  return !given && listed?.bytes !== undefined && listed.bytes < SMALL_INPUT_BYTES;
}

/** Files and folders inputMayBeLarge() looks at before it gives up and answers yes. */
const PROBE_ENTRIES = 256;

/**
 * Whether a run's input may reach SMALL_INPUT_BYTES, judged from the command line alone so that the first decode
 * thread can start up (a V8 isolate and the decoder's code: about 65 ms, on another core) while the run loads its
 * config and lists its input, instead of after. An S3 input may; local files are summed without --include,
 * --exclude or a state's ledger, so the answer can be yes for an input the listing then finds small: the thread
 * is then not used, and only its start-up was spent. Past PROBE_ENTRIES files and folders the answer is yes; a
 * path that cannot be read counts for nothing here (the listing reports it).
 */
export function inputMayBeLarge(inputs: readonly string[]): boolean {
  let bytes = 0;
  let entries = 0;
  const pending = [...inputs];
  while (pending.length > 0) {
    const at = pending.pop()!;
    if (isS3Url(at)) return true;
    try {
      const stat = statSync(at);
      if (stat.isFile()) bytes += stat.size;
      else if (stat.isDirectory()) for (const name of readdirSync(at)) pending.push(path.join(at, name));
    } catch {
      continue;
    }
    if (bytes >= SMALL_INPUT_BYTES || ++entries > PROBE_ENTRIES) return true;
  }
  return false;
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
