import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Argv } from 'yargs';
import { loadConfig } from '../config/loadConfig';
import type { ReadObjectsOptions } from '../run/readObjects';
import { runJob } from '../run/runJob';
import { failedBeforeReading, runEnvelope } from '../run/runEvent';
import type { RunEvent } from '../rollup/summaryEvent';
import { StateIoError } from '../state/stateErrors';
import { createLogger, logFormatFor, type LogFormat, type Logger } from '../support/logger';
import type { UsageConfig } from '../config/schema';
import { EndLines } from './endLines';
import { logCliOptions } from './logOptions';
import { NdjsonSummarySink } from '../sinks/ndjsonSummarySink';
import type { QuarantineFile } from '../sinks/quarantineFile';
import type { SummarySink } from '../sinks/summarySink';
import { SourceResolver } from '../sources/resolveSource';
import { canonicalTimeZone } from '../support/timeZone';
import { DEFAULT_EXCLUDES, InputFilter, checkGlob } from '../sources/inputFilter';
import { closeDecodeWorkers, decodeStreamInWorker, setDecodeThreadLimit, startDecodeThread } from '../decode/decodeWorkerPool';
import { decodeStream } from '../decode/decodeStream';
import { DEFAULT_MAX_ITEM_BYTES, DEFAULT_MAX_ITEM_KEYS } from '../decode/jsonValueScanner';
import { flagGiven, wholeNumberAtLeast } from './flagChecks';
import { isRetryableReadError } from '../sources/s3/s3Errors';
import { isS3Url, parseS3Url } from '../aws/s3Url';
import { S3RetryLog } from '../aws/s3RetryLog';
import { createProgressReporter, progressModeFromArgs } from '../run/progress';
import { defaultConcurrency } from './defaultConcurrency';
import { aggregateOnDecodeThreadsOption, aggregatesOnDecodeThreads, decodesOnThisThread, decodeThreadsFrom, decodeThreadsGiven, inputMayBeLarge, runDecodeThreadsOption, threadPoolSizeFor } from './decodeThreads';
import { s3ClientOptionsFrom, withS3Options } from './s3Options';
import { hecSinkOptionsFromArgv, splunkMetadataFrom, spoolDirFrom, withHecOptions } from './hecOptions';
import { checkpointFlagsGiven, checkpointFromArgs, openStateFromArgs, refuseStateWithoutSink, withStateOptions } from './stateOptions';
import { parseDayOption } from './dayOption';
import { formatSummaryTable } from './summaryTable';
import { UsageError } from './usageError';
import { exitCodeOf } from '../support/errors';
import { refuseWritesIntoEachOther, refuseWritesIntoInputs } from './outputPaths';
import { type CliIo, writeText } from './cliIo';
import { errnoCode } from '../support/errnoCode';
import { watchStopSignals } from './stopSignals';
import { auth0CliOptions } from './auth0CheckCommand';
import { resolveAuth0Config, type Auth0Settings } from '../auth0/resolveAuth0Config';
import { isAuth0CredentialsError } from '../auth0/auth0Errors';
import type { Auth0StatsOptions } from '../run/auth0Stats';
import { planMerge, type MergePlan } from '../run/shardMerge';
import type { ShardSpec } from '../state/shardPartial';
import { rollupConfigFingerprint } from '../state/stateManifest';
import { shardCliOptions, shardFromArgs } from './shardOptions';
import { refuseDeliveryFromShard, runShardFromArgs } from './shardCommand';

export function runOptions(yargs: Argv) {
  const run = yargs
    .option('input', {
      alias: 'i',
      type: 'string',
      array: true,
      demandOption: 'give at least one --input (a file, a directory or an s3:// URL)',
      describe: 'Archive file, directory (read recursively) or s3://bucket/prefix; repeatable',
    })
    .option('include', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'Read only the files (S3 keys) under an input folder (prefix) that match this glob, relative to it; repeatable. A glob without "/" matches a name at any depth',
    })
    .option('exclude', {
      type: 'string',
      array: true,
      requiresArg: true,
      default: [...DEFAULT_EXCLUDES],
      describe: 'Skip the files (S3 keys) under an input folder (prefix) that match this glob, and whole folders that match; repeatable; giving it replaces the default',
    })
    .option('timezone', { alias: 'tz', type: 'string', describe: 'IANA zone for day buckets [default: config timezone, UTC]' })
    .option('from', { type: 'string', describe: 'First day to summarize, YYYY-MM-DD in --timezone (inclusive)' })
    .option('to', { type: 'string', describe: 'Last day to summarize, YYYY-MM-DD in --timezone (inclusive)' })
    .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'NDJSON file for the summary events, or - for stdout' })
    .option('quarantine', { type: 'string', describe: 'NDJSON file for malformed and rejected input items' })
    .option('config', { alias: 'c', type: 'string', describe: 'JSON file merged over config/default.json' })
    .option('table', { type: 'boolean', default: true, describe: 'Print a per-day table when done (--no-table to skip)' })
    .option('decode-workers', {
      type: 'boolean',
      default: true,
      describe: 'Gunzip and decode on worker threads (see --decode-threads) while this thread rolls up; --no-decode-workers keeps it all on one thread, as --decode-threads 0',
    })
    .option('decode-threads', runDecodeThreadsOption)
    .option('aggregate-on-decode-threads', aggregateOnDecodeThreadsOption)
    .option('max-item-bytes', {
      type: 'number',
      default: DEFAULT_MAX_ITEM_BYTES,
      coerce: wholeNumberAtLeast('--max-item-bytes', 1024, 'bytes'),
      describe: 'Longest input item (one JSON value) read; a longer one is skipped unread and quarantined cut, as malformed too_large',
    })
    .option('max-item-keys', {
      type: 'number',
      default: DEFAULT_MAX_ITEM_KEYS,
      coerce: wholeNumberAtLeast('--max-item-keys'),
      describe: 'Most object keys in one input item; past it the item is skipped and quarantined, as malformed too_many_keys',
    })
    .options(logCliOptions)
    .example('$0 run --input fixtures/samples --output out/summaries.ndjson', 'Summarize the bundled sample archives')
    .example('$0 run -i ./logs --tz Europe/Berlin --from 2024-03-01 --to 2024-03-31 -o -', 'One month, Berlin days, to stdout')
    .example('SPLUNK_HEC_TOKEN=… $0 run -i s3://acme-auth0-logs/firehose/ --hec-url https://splunk.example.com:8088', 'From S3 to Splunk HEC')
    .group(
      ['input', 'include', 'exclude', 'timezone', 'from', 'to', 'output', 'quarantine', 'config', 'concurrency', 'decode-workers', 'decode-threads', 'aggregate-on-decode-threads', 'max-item-bytes', 'max-item-keys', 'progress', 'table', 'log-level', 'log-format'],
      'Run:',
    );
  const withAuth0 = run
    .options(auth0CliOptions)
    .group(['auth0-domain', 'auth0-client-id', 'auth0-tenant'], 'Auth0 statistics (stats/daily, stats/active-users beside the logs):');
  const withShards = withAuth0.options(shardCliOptions).group(Object.keys(shardCliOptions), 'Shards (one backfill over many machines; see `merge`):');
  return withStateOptions(withHecOptions(withS3Options(withShards)));
}

/** The run's statistics step over the Management API client (loaded only when statistics are asked for). */
async function auth0StatsFrom(settings: Auth0Settings): Promise<Auth0StatsOptions> {
  const { createAuth0StatsClient } = await import('../auth0/auth0StatsClient');
  return {
    sources: settings.tenants.map((tenant) => {
      const client = createAuth0StatsClient(tenant);
      return {
        tenant: tenant.tenant,
        host: tenant.domain.replace(/:\d+$/, ''),
        dailyStats: (fromDay, toDay, signal) => client.dailyStats(fromDay, toDay, signal),
        activeUsers: (signal) => client.activeUsers(signal),
      };
    }),
    tolerancePercent: settings.tolerancePercent,
    statsTimezone: settings.statsTimezone,
    isCredentialsError: isAuth0CredentialsError,
  };
}

export type RunArgs = Awaited<ReturnType<ReturnType<typeof runOptions>['parseAsync']>>;

/** `auth0-usage merge` runs as `run` over the shards' partials: it names how many. */
export interface MergeRequest {
  shards: number;
}

/**
 * `auth0-usage run`: parse and check everything first (usage errors exit 2 before any reading), then run: the
 * whole job, one shard of it (--shard), or, for `merge`, the job over the shards' partials.
 */
export async function runCommand(args: RunArgs, io: CliIo, merge?: MergeRequest): Promise<number> {
  try {
    return await runCommandStarted(args, io, merge);
  } catch (err) {
    // The first decode thread may have started before the command line was checked (inputMayBeLarge): a run that
    // ends before runJob (whose endDecoding closes them), on a usage error or a state it could not open, must not
    // leave it running in the process.
    await closeDecodeWorkers();
    throw err;
  }
}

async function runCommandStarted(given: RunArgs, io: CliIo, merge?: MergeRequest): Promise<number> {
  // An empty --output (a templated AUTH0_USAGE_OUTPUT=, or "$OUT" unset) is none given, as an empty --state is; so is
  // an empty --quarantine, which was taken as a file at the working folder and left out every input under it.
  const args: RunArgs = { ...given, output: given.output || undefined, quarantine: given.quarantine || undefined };
  // `--input ""` (a templated AUTH0_USAGE_INPUT= left empty) failed later as an unreadable input, exit 1.
  if (args.input.length === 0 || args.input.some((input) => String(input) === '')) {
    throw new UsageError('--input is empty: give a file, a directory or an s3:// URL');
  }
  // First, before anything reads a file: libuv sizes its pool (gunzip, file reads) at its first use.
  const decodeThreads = decodeThreadsFrom(args);
  const poolSize = threadPoolSizeFor(decodeThreads, io.env);
  if (poolSize !== undefined) io.sizeThreadPool?.(poolSize);
  const inWorkers = decodeThreads > 0;
  const threadsGiven = decodeThreadsGiven(args);
  if (inWorkers) setDecodeThreadLimit(decodeThreads);
  // The first decode thread starts up while the config is read and the input listed, when one will be needed:
  // threads were given, a merge decodes on them whatever it reads, or the input may not be small.
  if (inWorkers && (threadsGiven || merge !== undefined || inputMayBeLarge(args.input.map(String)))) startDecodeThread();
  const config = loadConfig(args.config);
  const zoneName = args.timezone ?? config.timezone;
  // One spelling per zone ('utc' → 'UTC'), since the zone is part of every summary_id.
  const timezone = canonicalTimeZone(zoneName);
  if (timezone === null) throw new UsageError(`unknown time zone '${zoneName}' (use an IANA name such as Europe/Berlin)`);
  const from = parseDayOption('from', args.from);
  const to = parseDayOption('to', args.to);
  if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const inputs = args.input.map(String);
  const s3Urls = [...inputs.map((url) => ({ flag: '--input', url })), ...(flagGiven(args.state) ? [{ flag: '--state', url: args.state }] : [])];
  for (const { flag, url } of s3Urls.filter((given) => isS3Url(given.url))) {
    try {
      parseS3Url(url);
    } catch (err) {
      throw new UsageError(`${flag} ${(err as Error).message}`);
    }
  }
  const written = [
    ...(args.output === undefined || args.output === '-' ? [] : [{ flag: '--output', path: args.output }]),
    ...(args.quarantine === undefined ? [] : [{ flag: '--quarantine', path: args.quarantine }]),
    // Named as what the operator gave: a spool they never named is the default one.
    ...(args['hec-url'] === undefined ? [] : [{ flag: args.spool === undefined ? 'the default --spool' : '--spool', path: spoolDirFrom(args, io.env) }]),
    // The state's day files, ledger and lock would otherwise be read back as archives by the next run.
    ...(flagGiven(args.state) ? [{ flag: '--state', path: args.state }] : []),
  ];
  refuseWritesIntoInputs(inputs, written);
  refuseWritesIntoEachOther(written);
  const filter = inputFilterFrom(args.include, args.exclude);
  // Auth0 settings that cannot work (a stray flag, a missing secret variable) are usage errors, before any reading.
  const auth0Settings = resolveAuth0Config(config, args, io.env);
  const shard = merge ? undefined : shardFromArgs(args, io.env);
  if (shard) refuseDeliveryFromShard(args, auth0Settings !== undefined);
  else refuseStateWithoutSink(args);
  // What every shard and the merge of one backfill must agree on.
  const spec: ShardSpec = {
    inputs,
    include: (args.include ?? []).map(String),
    exclude: (args.exclude ?? []).map(String),
    timezone,
    from: from ?? null,
    to: to ?? null,
    rollup_config: rollupConfigFingerprint(config),
    item_limits: { max_item_bytes: args['max-item-bytes'] ?? DEFAULT_MAX_ITEM_BYTES, max_item_keys: args['max-item-keys'] ?? DEFAULT_MAX_ITEM_KEYS },
  };
  const auth0 = auth0Settings === undefined ? undefined : await auth0StatsFrom(auth0Settings);
  // A progress bar and info lines would fight over the terminal: with a bar, only warnings and errors are logged.
  const progressMode = progressModeFromArgs(args.progress, args['log-format']);
  const barShown = progressMode === 'auto' && (io.stderr as NodeJS.WriteStream).isTTY === true;
  const runId = randomUUID();
  const rootLogger = createLogger({ level: args['log-level'] ?? (barShown ? 'warn' : 'info'), format: args['log-format'] as LogFormat | undefined, stream: io.stderr });
  const logger = rootLogger.child({ run_id: runId });
  // The closing lines: plain text, or JSON lines like the log's (see EndLines), whatever --log-level says.
  const end = EndLines.on(io.stderr, logFormatFor(io.stderr, args['log-format'] as LogFormat | undefined) === 'json', runId);
  const progress = createProgressReporter({ mode: progressMode, stream: io.stderr, logger });
  // The AWS SDK's own retries of every S3 request of the run (inputs and state): logged, and counted in the run event.
  const s3Retries = s3Urls.some((given) => isS3Url(given.url)) ? new S3RetryLog(logger) : undefined;
  const sources = new SourceResolver({ s3: { ...s3ClientOptionsFrom(args, io.env), retries: s3Retries }, dayRange: { from, to }, filter, ownOutputs: written.map((w) => w.path) });
  // --hec-index/--hec-source/--hec-sourcetype name the summaries' metadata, so --output carries the same.
  config.splunk = splunkMetadataFrom(args, config.splunk);
  const hecOptions = hecSinkOptionsFromArgv(args, io.env, config.splunk);
  // From here on SIGTERM/SIGINT finish the run early rather than kill it (README "Stopping a run").
  const stop = watchStopSignals((name) =>
    logger.warn(
      { signal: name },
      `received ${name}: finishing up: ${hecOptions ? 'undelivered summaries go to the spool; ' : ''}send it again to stop at once`,
    ),
  );
  try {
    if (shard) {
      return await runShardFromArgs(args, io, {
        shard,
        spec,
        config,
        sources,
        logger,
        end,
        progress,
        signal: stop.signal,
        decodeThreads,
        decode: decodeFrom(decodeThreads, threadsGiven, args, stop.signal),
        s3Retries,
      });
    }
    // Opened (and locked) before any output exists: a corrupt, foreign or busy state stops the run untouched; one
    // that cannot be reached leaves the failed run event in --output (replaceOutputWithFailedRun) and an empty
    // --quarantine (emptyQuarantine).
    const startedAt = new Date();
    const state = await openStateFromArgs(args, io.env, { timezone, config, from, to, logger, signal: stop.signal, s3Retries }).catch(async (err: unknown) => {
      s3Retries?.flush();
      if (err instanceof StateIoError) {
        if (args.output !== undefined) {
          const run = failedBeforeReading({ runId, startedAt, finishedAt: new Date(), inputs, timezone, failure: err, s3Retries: s3Retries?.retries });
          await replaceOutputWithFailedRun(args.output, io.stdout, run, config.splunk, logger);
        }
        if (args.quarantine !== undefined) await emptyQuarantine(args.quarantine, logger);
      }
      throw err;
    });
    let mergePlan: MergePlan | undefined;
    if (merge) {
      try {
        mergePlan = await planMerge(state!, merge.shards, spec);
        if (mergePlan.spent.length > 0) {
          logger.warn(
            { shards: mergePlan.spent },
            'every object these shards read is committed already (by a merge stopped before it removed the partials, or another run): their records were counted and are not replayed',
          );
        }
      } catch (err) {
        await state?.release();
        throw err;
      }
    }
    let quarantine: QuarantineFile | undefined;
    const sinks: SummarySink[] = [];
    try {
      // The quarantine file and the HEC sink are loaded only when asked for (a few ms of start-up each).
      if (args.quarantine) quarantine = new (await import('../sinks/quarantineFile')).QuarantineFile(args.quarantine);
      if (args.output) sinks.push(new NdjsonSummarySink(args.output, io.stdout));
      if (hecOptions) {
        const { HecSink, rejectedEventItem } = await import('../sinks/hec');
        const { lockSpool } = await import('../state/spoolLock');
        const hecLog = logger.child({ sink: 'hec' });
        sinks.push(
          new HecSink(hecOptions, {
            runId,
            log: hecLog,
            signal: stop.signal,
            // One run at a time reads, adds to and resends a spool folder's files: a run that finds it in use waits
            // (see spoolLock). Said at warn level: a run that waits quietly looks hung.
            holdSpool: (dir) =>
              lockSpool(dir, {
                signal: stop.signal,
                onWait: (holder, until) => hecLog.warn({ spool: dir, holder, until: until.toISOString() }, 'HEC spool in use by another run: waiting for it'),
                onTakeover: (holder) => hecLog.warn({ spool: dir, holder }, 'HEC spool: took over the lock of a run that is gone'),
              }),
            // With a state, a run that HEC stops is not committed: the next run builds its summaries again.
            rebuiltIfStopped: state !== undefined,
            // An event HEC refuses on its own is set aside like bad input, never lost: to --quarantine when given,
            // else (the sink's own default) to rejected-<run id>.ndjson in the spool directory.
            ...(quarantine
              ? { onRejectedEvent: (event, why) => quarantine!.write([rejectedEventItem(event, why)]), quarantineFile: quarantine.target }
              : {}),
          }),
        );
      }
    } catch (err) {
      // Nothing ran yet: give the state lock back rather than leave it to go stale, and the outputs' temp files.
      await quarantine?.discard();
      for (const sink of sinks) if (sink instanceof NdjsonSummarySink) await sink.discard();
      await state?.release();
      throw err;
    }
    if (sinks.length === 0) logger.warn('no --output or --hec-url given: summaries are computed but not written anywhere');
    const checkpointFlags = checkpointFlagsGiven(args);
    // Given through a variable the nightly runs share, perhaps: said, not refused.
    if (!state && checkpointFlags.length > 0) {
      logger.warn({ flags: checkpointFlags }, `${checkpointFlags.join(' and ')} ${checkpointFlags.length === 1 ? 'applies' : 'apply'} only with --state: a run without one commits nothing to resume from`);
    }

    // Where tonight's state is, as the run resolved it: a relative --state in a CronJob spec names a folder only
    // with the working directory the log line would otherwise not give.
    logger.info({ inputs, timezone, from, to, ...(state ? { state: isS3Url(state.location) ? state.location : path.resolve(state.location) } : {}) }, 'run started');
    // The per-day table goes to stdout after the run, unless the summaries went there.
    const wantsTable = args.table && args.output !== '-';
    const outcome = await runJob({
      inputs: mergePlan?.inputs ?? inputs,
      config,
      timezone,
      from,
      to,
      openSource: mergePlan ? mergePlan.openSource : (input) => sources.resolve(input),
      isRetryableReadError,
      progress,
      sinks,
      quarantine,
      concurrency: args.concurrency ?? defaultConcurrency(inputs, decodeThreads),
      logger: rootLogger,
      decode: decodeFrom(decodeThreads, threadsGiven, args, stop.signal),
      ...(inWorkers ? { endDecoding: closeDecodeWorkers } : {}),
      runId,
      state,
      residentDays: args['resident-days'],
      // A merge is committed whole: its partials are removed with that one commit (no checkpoints to resume from).
      checkpoint: mergePlan ? { objects: Infinity, ms: Infinity } : checkpointFromArgs(args),
      ...(mergePlan ? { merged: mergePlan.merged, afterCommit: mergePlan.afterCommit, afterRecord: mergePlan.afterRecord } : {}),
      signal: stop.signal,
      ...(auth0 ? { auth0 } : {}),
      dailies: wantsTable,
      s3Retries,
    });
    sources.close();
    // What the AWS SDK retried since its last line, before the run's last lines.
    s3Retries?.flush();
    if (filter.leftOut > 0) logger.info({ left_out: filter.leftOut, include: args.include ?? [], exclude: args.exclude }, 'files and keys left out by --include/--exclude');
    // An output that fails as it is flushed and moved into place is a failed run, whatever the run event said.
    const { run } = outcome;
    let closeFailure: Error | undefined;
    for (const closable of [...sinks, ...(quarantine ? [quarantine] : [])]) {
      await closable.close().catch((err: Error) => {
        closeFailure ??= err;
        // An output that failed the run fails again at close: said once, as the run's error.
        if (err.message !== run.error) logger.error({ err: err.message }, 'could not finish writing an output');
      });
    }

    const fields = { objects: run.objects, ...(run.objects_gone ? { objects_gone: run.objects_gone } : {}), records: run.records, duplicates: run.duplicates, malformed: run.malformed, rejected: run.rejected, out_of_range: run.out_of_range, summaries: run.summaries };
    if (run.status === 'failed') logger.error({ ...fields, err: run.error }, 'run failed');
    else if (closeFailure) logger.error({ ...fields, status: 'failed', err: closeFailure.message }, 'run failed: an output could not be finished after the run event was sent');
    else logger.info({ ...fields, status: run.status }, 'run finished');
    if (wantsTable && run.status !== 'failed') {
      // The table only shows what the outputs hold: a stdout that cannot take it (a full disk, `| head`) is said
      // and changes nothing of the run's outcome.
      await writeText(io.stdout, formatSummaryTable(outcome.dailies, run)).catch((err: unknown) =>
        logger.warn({ err: errnoCode(err) }, 'the summary table could not be written to stdout; the summaries and the state are as the run left them'),
      );
    }
    if (run.status === 'failed') end.error(run.error ?? 'the run failed', { ...(run.error_code ? { code: run.error_code } : {}), exit_code: outcome.exitCode });
    if (closeFailure && run.status !== 'failed') {
      end.failure(closeFailure);
      return exitCodeOf(closeFailure);
    }
    if (outcome.exitCode === 3 && outcome.undelivered.spooled + outcome.undelivered.refused > 0) end.undelivered(outcome.undelivered, outcome.exitCode);
    const statsErrors = run.auth0_stats_errors;
    if (outcome.exitCode === 3 && statsErrors !== undefined && statsErrors.count > 0) {
      const named = statsErrors.tenants.map((t) => `${t.tenant} (${t.code})`).join(', ');
      end.warn(`Auth0 statistics of ${statsErrors.count} tenant(s) could not be read, the log summaries are complete: ${named}`, { exit_code: outcome.exitCode });
    }
    if (run.status === 'failed' && state) end.kept(state.location, outcome.checkpoints, mergePlan !== undefined);
    return outcome.exitCode;
  } catch (err) {
    s3Retries?.flush();
    // Said here, not by main(): the closing line of a run that had started (a state lock it stopped waiting for, a
    // state it could not open) carries its run_id, like its other lines.
    end.failure(io.namingVariables?.(err) ?? err);
    return exitCodeOf(err);
  } finally {
    stop.dispose();
  }
}

/**
 * A state that cannot be reached (S3 failing, a lock that cannot be written) fails the run before it reads: --output
 * then holds only the failed run event, as after a failed read, rather than last night's file passing for tonight's.
 * Not for a state another run holds (that run may be writing this --output) or one refused as unusable (exit 2).
 * A file that cannot be written either is said and leaves the run's error as it was.
 */
async function replaceOutputWithFailedRun(output: string, stdout: NodeJS.WritableStream, run: RunEvent, splunk: UsageConfig['splunk'], logger: Logger): Promise<void> {
  try {
    const sink = new NdjsonSummarySink(output, stdout);
    try {
      await sink.deliver([runEnvelope(run, splunk)]);
    } finally {
      await sink.close();
    }
  } catch (err) {
    logger.error({ output: output === '-' ? 'stdout' : output, err: (err as Error).message }, 'could not write the failed run event to --output');
  }
}

/**
 * The same case leaves --quarantine as a run that failed before its first object does, empty, rather than last
 * night's items passing for tonight's. A file that cannot be written is said and leaves the run's error as it was.
 */
async function emptyQuarantine(target: string, logger: Logger): Promise<void> {
  try {
    await new (await import('../sinks/quarantineFile')).QuarantineFile(target).close();
  } catch (err) {
    logger.error({ quarantine: target === '-' ? 'stdout' : target, err: (err as Error).message }, 'could not empty --quarantine');
  }
}

/**
 * Each object's decoding, on a decode thread or this one (decodesOnThisThread), with the item limits and the stop
 * signal; its figures added up on the decode thread or here (aggregatesOnDecodeThreads).
 */
function decodeFrom(threads: number, given: boolean, args: RunArgs, signal: AbortSignal): NonNullable<ReadObjectsOptions['decode']> {
  const aggregating = aggregatesOnDecodeThreads(threads, args['aggregate-on-decode-threads']);
  return (input, decodeOptions, sink, listed) => {
    const options = { ...decodeOptions, maxItemBytes: args['max-item-bytes'], maxItemKeys: args['max-item-keys'], signal };
    if (decodesOnThisThread(threads, given, listed)) return decodeStream(input, options, sink);
    return decodeStreamInWorker(input, aggregating ? options : { ...options, aggregation: undefined }, sink);
  };
}

/** --include/--exclude as given (yargs fills in the default exclusions), each glob checked. */
function inputFilterFrom(include: readonly unknown[] | undefined, exclude: readonly unknown[] | undefined): InputFilter {
  const globs = (flag: string, values: readonly unknown[] | undefined) =>
    (values ?? []).map((value) => {
      const glob = String(value);
      const problem = checkGlob(glob);
      if (problem) throw new UsageError(`${flag} '${glob}' is ${problem}`);
      return glob;
    });
  return new InputFilter({ include: globs('--include', include), exclude: globs('--exclude', exclude) });
}
