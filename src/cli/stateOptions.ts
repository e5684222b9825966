import type { Argv } from 'yargs';
import type { UsageConfig } from '../config/schema';
import type { Logger } from '../support/logger';
import { DEFAULT_RESIDENT_BYTES } from '../rollup/dayStore';
import { DEFAULT_DEDUP_DAYS, DEFAULT_LOCK_STALE_MINUTES, RunState } from '../state/runState';
import { s3ClientOptionsFrom, type S3Args } from './s3Options';
import { positiveAmount, wholeNumberAtLeast } from './flagChecks';

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
    coerce: wholeNumberAtLeast('--dedup-days'),
  },
  'lock-stale-minutes': {
    type: 'number',
    defaultDescription: String(DEFAULT_LOCK_STALE_MINUTES),
    describe: 'Minutes without a heartbeat after which a state lock (of a crashed run) is taken over',
    coerce: positiveAmount('--lock-stale-minutes', 'minutes'),
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
  'lock-stale-minutes'?: number;
}

export interface StateRunSettings {
  timezone: string;
  config: UsageConfig;
  from?: string;
  to?: string;
  logger: Logger;
}

/**
 * Opens (and locks) the --state of a run, with the inputs' S3 options; undefined without --state. Call it before
 * anything is written: a corrupt, foreign or locked state stops the run here.
 */
export async function openStateFromArgs(args: StateArgs, env: NodeJS.ProcessEnv, settings: StateRunSettings): Promise<RunState | undefined> {
  if (args.state === undefined || args.state === '') return undefined;
  return RunState.open({
    location: args.state,
    s3: s3ClientOptionsFrom(args, env),
    timezone: settings.timezone,
    config: settings.config,
    from: settings.from,
    to: settings.to,
    dedupDays: args['dedup-days'],
    lockStaleMs: args['lock-stale-minutes'] === undefined ? undefined : args['lock-stale-minutes'] * 60_000,
    logger: settings.logger,
  });
}
