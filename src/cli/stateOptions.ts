import type { Argv } from 'yargs';
import type { UsageConfig } from '../config/schema';
import type { Logger } from '../support/logger';
import type { S3RetryObserver } from '../aws/s3ClientOptions';
import { DEFAULT_RESIDENT_BYTES } from '../rollup/dayStore';
import { DEFAULT_DEDUP_DAYS, DEFAULT_LOCK_EXPIRY_MINUTES, RunState } from '../state/runState';
import { DEFAULT_CHECKPOINT_MINUTES, DEFAULT_CHECKPOINT_OBJECTS } from '../run/runJob';
import { RunStopped, stopReason } from '../run/runStop';
import { s3ClientOptionsFrom, type S3Args } from './s3Options';
import { flagGiven, positiveAmount, wholeNumberAtLeast } from './flagChecks';
import { UsageError } from './usageError';

/** A century of log_ids, at most: far past any tenant's history, and well inside what a date can count back. */
const MAX_DEDUP_DAYS = 36_500;

/** The flags of `run` that make it incremental. */
export const stateCliOptions = {
  state: {
    type: 'string',
    requiresArg: true,
    describe: 'Folder or s3://bucket/prefix remembering what earlier runs read and counted; this run reads only new objects and re-emits changed days',
  },
  'dedup-days': {
    type: 'number',
    defaultDescription: String(DEFAULT_DEDUP_DAYS),
    describe: 'Days of log_ids kept in the state for de-duplication (counted back from the newest day)',
    coerce: wholeNumberAtLeast('--dedup-days', 1, '', MAX_DEDUP_DAYS),
  },
  'lock-expiry-minutes': {
    type: 'number',
    alias: 'lock-stale-minutes',
    defaultDescription: String(DEFAULT_LOCK_EXPIRY_MINUTES),
    describe: "The state lock's lease: a lock whose heartbeat has not moved for this long (a killed run's) is taken over, whatever its host; a run finding the lock held waits at most this long",
    coerce: positiveAmount('--lock-expiry-minutes', 'minutes'),
  },
  'checkpoint-objects': {
    type: 'number',
    defaultDescription: String(DEFAULT_CHECKPOINT_OBJECTS),
    describe: 'Commit a long run as it goes: after this many objects, deliver the summaries of the days read so far and commit, so a stopped or killed run keeps them',
    coerce: wholeNumberAtLeast('--checkpoint-objects'),
  },
  'checkpoint-minutes': {
    type: 'number',
    defaultDescription: String(DEFAULT_CHECKPOINT_MINUTES),
    describe: 'Also commit a checkpoint once a part of the run has read for this long',
    coerce: positiveAmount('--checkpoint-minutes', 'minutes'),
  },
  'resident-days': {
    type: 'number',
    defaultDescription: `no count; about ${DEFAULT_RESIDENT_BYTES / 1024 / 1024} MiB of them`,
    describe: 'Most tenant-days held in memory at once (reading forward needs about 3 a tenant: days 3 or more behind its newest go to scratch files)',
    coerce: wholeNumberAtLeast('--resident-days'),
  },
} as const;

/** Adds the state flags of `run` under their own help heading. */
export function withStateOptions<T>(yargs: Argv<T>) {
  return yargs.options(stateCliOptions).group(Object.keys(stateCliOptions), 'State (incremental runs):');
}

/** The parsed flags openStateFromArgs reads. */
export interface StateArgs extends S3Args {
  state?: string;
  'dedup-days'?: number;
  'lock-expiry-minutes'?: number;
  'checkpoint-objects'?: number;
  'checkpoint-minutes'?: number;
}

/**
 * A run with --state commits what it read: the next run skips those objects. Without --output or --hec-url its
 * summaries would go nowhere and never be built again, so such a run is refused before it reads anything (a shard,
 * which delivers nothing and commits nothing, is checked by refuseDeliveryFromShard instead).
 */
export function refuseStateWithoutSink(args: StateArgs & { output?: string; 'hec-url'?: string }): void {
  if (!flagGiven(args.state) || flagGiven(args.output) || flagGiven(args['hec-url'])) return;
  throw new UsageError('--state without --output or --hec-url: the run would commit objects whose summaries go nowhere, and later runs would skip them; give --output or --hec-url (--output /dev/null to commit them without keeping the summaries)');
}

/** The --checkpoint-* flags given, as `--name`: where they do not apply (no --state, a shard) the run says so. */
export function checkpointFlagsGiven(args: StateArgs): string[] {
  return (['checkpoint-objects', 'checkpoint-minutes'] as const).filter((flag) => args[flag] !== undefined).map((flag) => `--${flag}`);
}

/** A --state run's checkpoints as its flags give them; runJob fills in its defaults for those not given. */
export function checkpointFromArgs(args: StateArgs): { objects?: number; ms?: number } {
  const minutes = args['checkpoint-minutes'];
  return {
    ...(args['checkpoint-objects'] === undefined ? {} : { objects: args['checkpoint-objects'] }),
    ...(minutes === undefined ? {} : { ms: minutes * 60_000 }),
  };
}

export interface StateRunSettings {
  timezone: string;
  config: UsageConfig;
  from?: string;
  to?: string;
  logger: Logger;
  /** The run's stop signal: a stop while another run holds the lock ends the wait, and the run, at once. */
  signal?: AbortSignal;
  /** Told of the S3 requests of an s3:// state that the AWS SDK retried. */
  s3Retries?: S3RetryObserver;
}

/**
 * Opens (and locks) the --state of a run, with the inputs' S3 options; undefined without --state. Call it before
 * anything is written: a corrupt, foreign or locked state stops the run here.
 */
export async function openStateFromArgs(args: StateArgs, env: NodeJS.ProcessEnv, settings: StateRunSettings): Promise<RunState | undefined> {
  if (!flagGiven(args.state)) return undefined;
  const { signal } = settings;
  try {
    return await RunState.open({
      location: args.state,
      s3: { ...s3ClientOptionsFrom(args, env), retries: settings.s3Retries },
      timezone: settings.timezone,
      config: settings.config,
      from: settings.from,
      to: settings.to,
      dedupDays: args['dedup-days'],
      lockExpiryMs: args['lock-expiry-minutes'] === undefined ? undefined : args['lock-expiry-minutes'] * 60_000,
      logger: settings.logger,
      signal,
    });
  } catch (err) {
    // Nothing was read, written or taken over: say where the stop found the run.
    if (signal?.aborted && err === signal.reason) throw new RunStopped(`${stopReason(signal)} while waiting for the state lock of ${args.state}`);
    throw err;
  }
}
