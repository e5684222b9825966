import type { ShardOf } from '../run/shardAssignment';
import { UsageError } from './usageError';

/** Where an orchestrator puts a job's index: Kubernetes Indexed Jobs, then AWS Batch array jobs. */
export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

/** The flags of `run` that make it one shard of a backfill. */
export const shardCliOptions = {
  shard: {
    type: 'string',
    requiresArg: true,
    describe: 'Run as shard I of N (I/N, I from 0): read only this shard\'s objects into a partial result under --state, for `merge`; delivers nothing',
  },
  shards: {
    type: 'number',
    requiresArg: true,
    describe: `Shards of the backfill (N); the index comes from --shard or ${SHARD_INDEX_VARIABLES.join(' or ')}`,
  },
} as const;

/** Digits only, leading zeros allowed (a templated `01` has them), up to a bound past any backfill. */
const WHOLE = /^\d+$/;
const MAX_WHOLE = 999_999;

function wholeNumber(text: string, what: string, from = 0): number {
  const value = text.trim();
  if (!WHOLE.test(value) || Number(value) < from || Number(value) > MAX_WHOLE) {
    // yargs makes a word given to the number flag --shards NaN before this sees it.
    const shown = value === 'NaN' ? 'something that is not a number' : `'${text}'`;
    throw new UsageError(`${what} must be a whole number from ${from} to ${MAX_WHOLE}, got ${shown}`);
  }
  return Number(value);
}

/** The number of shards (`what`: where it was given): a whole number from 1. */
export function shardCount(value: unknown, what = '--shards'): number {
  return wholeNumber(String(value), what, 1);
}

/**
 * The shard a `run` is, from --shard I/N, or from --shards N and the orchestrator's index variable; undefined for
 * an ordinary run (neither flag given).
 */
export function shardFromArgs(args: { shard?: string; shards?: number }, env: NodeJS.ProcessEnv): ShardOf | undefined {
  const count = args.shards === undefined ? undefined : shardCount(args.shards);
  if (args.shard !== undefined) {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(args.shard));
    if (!match) throw new UsageError(`--shard must be I/N (e.g. 0/4), got '${args.shard}'`);
    const index = wholeNumber(match[1]!, `--shard ${args.shard}: I`);
    const of = shardCount(match[2]!, `--shard ${args.shard}: N`);
    if (count !== undefined && count !== of) throw new UsageError(`--shard ${args.shard} and --shards ${count} disagree on the number of shards`);
    if (index >= of) throw new UsageError(`--shard ${args.shard}: the index runs from 0 to ${of - 1}`);
    return { index, count: of };
  }
  if (count === undefined) return undefined;
  const variable = SHARD_INDEX_VARIABLES.find((name) => env[name] !== undefined && env[name] !== '');
  if (variable === undefined) throw new UsageError(`--shards ${count} needs this shard's index: --shard I/${count}, or ${SHARD_INDEX_VARIABLES.join(' or ')}`);
  const index = wholeNumber(env[variable]!, variable);
  if (index >= count) throw new UsageError(`${variable}=${env[variable]} is not a shard of --shards ${count} (0 to ${count - 1})`);
  return { index, count };
}
