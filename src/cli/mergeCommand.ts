import type { Argv } from 'yargs';
import { loadConfig } from '../config/loadConfig';
import { DEFAULT_MAX_ITEM_BYTES, DEFAULT_MAX_ITEM_KEYS } from '../decode/jsonValueScanner';
import { mergedAlready, readFinishedShards, removeShardPartials, ShardMismatchError } from '../state/shardPartial';
import { rollupConfigFingerprint } from '../state/stateManifest';
import { openStateStorage } from '../state/stateLoad';
import { auth0CliOptions } from './auth0CheckCommand';
import type { CliIo } from './cliIo';
import { EndLines } from './endLines';
import { logCliOptions } from './logOptions';
import { logFormatFor, type LogFormat } from '../support/logger';
import { aggregateOnDecodeThreadsOption, decodeThreadsOption } from './decodeThreads';
import { withHecOptions } from './hecOptions';
import { runCommand, type RunArgs } from './runCommand';
import { s3ClientOptionsFrom, withS3Options } from './s3Options';
import { shardCount } from './shardOptions';
import { refuseStateWithoutSink, stateCliOptions, withStateOptions } from './stateOptions';
import { UsageError } from './usageError';
import { flagGiven } from './flagChecks';

export function mergeOptions(yargs: Argv) {
  const merge = yargs
    .option('shards', { type: 'number', demandOption: 'give --shards N, the number of shards the backfill ran as', describe: 'Shards of the backfill (N): every one of 0..N-1 must have finished' })
    .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'NDJSON file for the summary events, or - for stdout' })
    .option('config', { alias: 'c', type: 'string', describe: 'JSON file merged over config/default.json (the shards\' own)' })
    .option('table', { type: 'boolean', default: true, describe: 'Print a per-day table when done (--no-table to skip)' })
    .option('decode-workers', { type: 'boolean', default: true, describe: 'Decode the shards\' record files on worker threads (see --decode-threads); --no-decode-workers keeps it all on one thread' })
    // The shards' record files are not listed with their sizes: a merge starts its default threads whatever it reads.
    .option('decode-threads', decodeThreadsOption)
    .option('aggregate-on-decode-threads', aggregateOnDecodeThreadsOption)
    .options(logCliOptions)
    .example('$0 merge --state s3://acme-usage-state/ --shards 16 --hec-url https://splunk.example.com:8088', 'Merge 16 finished shards, deliver and commit')
    .group(['shards', 'output', 'config', 'table', 'decode-workers', 'decode-threads', 'aggregate-on-decode-threads', 'concurrency', 'progress', 'log-level', 'log-format'], 'Merge:');
  const withAuth0 = merge.options(auth0CliOptions).group(['auth0-domain', 'auth0-client-id', 'auth0-tenant'], 'Auth0 statistics (stats/daily, stats/active-users beside the logs):');
  // A merge commits once, with no checkpoints: the checkpoint flags of the state group do not apply, so they are
  // left out of its help (and taken without effect, so that one environment can serve run and merge).
  return (
    withStateOptions(withHecOptions(withS3Options(withAuth0)))
      .hide('checkpoint-objects')
      .hide('checkpoint-minutes')
      // Required here, and said so in the help; mergeCommand refuses its absence with a message of its own.
      .option('state', { ...stateCliOptions.state, describe: 'Folder or s3://bucket/prefix of the state the shards wrote their partials under [required]' })
  );
}

export type MergeArgs = Awaited<ReturnType<ReturnType<typeof mergeOptions>['parseAsync']>>;

/**
 * `auth0-usage merge`: once every shard finished, runs the job over their partials under the state's lock, as
 * `run` with the shards' inputs, days, zone and --include/--exclude (read from their done.json), and delivers and
 * commits as a single run would.
 */
export async function mergeCommand(args: MergeArgs, io: CliIo): Promise<number> {
  if (!flagGiven(args.state)) throw new UsageError('merge needs the --state the shards wrote their partials under');
  refuseStateWithoutSink(args);
  const shards = shardCount(args.shards);
  const config = loadConfig(args.config);
  // The shards' settings, read before the lock (the state is opened with their zone and days); checked again under it.
  const storage = openStateStorage(args.state, s3ClientOptionsFrom(args, io.env));
  let spec;
  try {
    // Run again after it committed (a retried job): nothing to merge, and what a killed merge left is removed.
    const merged = await mergedAlready(storage, shards);
    if (merged !== undefined) {
      if (merged.leftovers) await removeShardPartials(storage, shards, new Date(merged.at));
      EndLines.on(io.stderr, logFormatFor(io.stderr, args['log-format'] as LogFormat | undefined) === 'json').info(
        `nothing to merge: the merge of these ${shards} shards was committed to ${storage.location} at ${merged.at}` +
          `${merged.leftovers ? ', and what was left of their partials is removed now' : ''}; run the shards again to merge new objects`,
        { state: storage.location, shards, exit_code: 0 },
      );
      return 0;
    }
    spec = (await readFinishedShards(storage, shards))[0]!.done.spec;
  } finally {
    await storage.close();
  }
  if (spec.rollup_config !== rollupConfigFingerprint(config)) {
    throw new ShardMismatchError(`cannot merge ${args.state}: the shards ran with another tenant, categories or nonBillableAudiences config than this --config: give the shards' config`);
  }
  const runArgs = {
    ...args,
    input: spec.inputs,
    include: spec.include,
    exclude: spec.exclude,
    timezone: spec.timezone,
    from: spec.from ?? undefined,
    to: spec.to ?? undefined,
    'max-item-bytes': DEFAULT_MAX_ITEM_BYTES,
    'max-item-keys': DEFAULT_MAX_ITEM_KEYS,
  } as unknown as RunArgs;
  return runCommand(runArgs, io, { shards });
}
