import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { UsageConfig } from '../config/schema';
import { DayRollup } from '../rollup/dayRollup';
import { DayStore } from '../rollup/dayStore';
import type { DailyEvent, RunEvent } from '../rollup/summaryEvent';
import { mergeReconcileInputs, runSummaryPass, type ReconcileInputs, type SummaryPassResult } from '../rollup/summaryPass';
import type { QuarantineFile } from '../sinks/quarantineFile';
import { readDaysKey } from '../state/objectIndex';
import type { SummarySink } from '../sinks/summarySink';
import type { RunState } from '../state/runState';
import { exitCodeOf, type ExitCode } from '../support/errors';
import type { Logger } from '../support/logger';
import { scratchDirFor, sweepAbandonedScratchDirs } from '../support/scratchDir';
import type { ProgressReporter } from './progressReporter';
import { dayBefore, readAuth0Stats, type Auth0StatsOptions } from './auth0Stats';
import { objectReadingOf, readObjects, type ObjectReading, type ReadTotals } from './readObjects';
import { RunListing } from './runListing';
import { RunStopped } from './runStop';
import { buildRunEvent, runEnvelope, type RunEventInput } from './runEvent';
import { SummaryHandOver } from './summaryHandOver';

/** A run: the objects it reads (ObjectReading: inputs, sources, concurrency, re-reads, decoding) and the rest. */
export interface RunOptions extends ObjectReading {
  config: UsageConfig;
  timezone: string;
  from?: string;
  to?: string;
  sinks: readonly SummarySink[];
  quarantine?: QuarantineFile;
  /** Items of one object written to `quarantine` in full, the rest counted only [default QUARANTINE_ITEMS_PER_OBJECT]. */
  quarantineItemsPerObject?: number;
  logger: Logger;
  progress?: ProgressReporter;
  runId?: string;
  now?(): Date;
  /**
   * The state to extend (RunState.open()): objects it has read are skipped, its log_ids de-duplicate, its days
   * take late data, and the run is committed to it once every sink took the summaries. runJob releases it.
   * Without a state nothing is remembered.
   */
  state?: RunState;
  /**
   * Tenant-day working sets held in memory at most, whatever the order of the input; the least recently touched
   * go to scratch files [default 32]. Reading forward, a tenant's days 3 or more behind its newest go there anyway.
   */
  residentDays?: number;
  /**
   * Stops the run early (SIGTERM). While reading: no further object, reads in flight destroyed, and the run fails
   * (`<reason's message> while reading`). Without a state nothing is delivered; with one, the objects read to
   * their end are delivered and committed as a last checkpoint. Later it runs to its end: sinks that wait (HEC)
   * take the same signal themselves.
   */
  signal?: AbortSignal;
  /**
   * With a state: a checkpoint (deliver what was read so far, commit, read on) after this many objects or this
   * long, whichever comes first [DEFAULT_CHECKPOINT_OBJECTS, DEFAULT_CHECKPOINT_MINUTES].
   */
  checkpoint?: { objects?: number; ms?: number };
  /**
   * Auth0's own statistics to fetch for the days summarized and reconcile with ours (auth0_daily,
   * auth0_active_users, reconcile summaries; `auth0_stats_errors` in the run event). Omitted: none.
   */
  auth0?: Auth0StatsOptions;
  /**
   * A merge of shards: the inputs it states (the shards'), and their read figures, which the run event carries
   * instead of the record files' (records, duplicates and out_of_range are counted as the records are replayed).
   */
  merged?: {
    shards: number;
    inputs: readonly string[];
    /** `countedBefore`: records the shards did not write, of days an earlier run counted (as a run counts them: records and duplicates). */
    read: Pick<ReadTotals, 'objects' | 'bytes' | 'malformed' | 'rejected' | 'quarantineTruncated' | 'gone'> & { countedBefore: number };
    /** The AWS SDK's retries of the shards' own S3 requests: the merge's run event counts them with its own. */
    s3Retries?: number;
  };
  /** Runs once the run was committed to its state, before the lock is given back (a merge removes the shards' partials); its failure fails the run. */
  afterCommit?(): Promise<void>;
  /**
   * Runs once a committed run is recorded in its state (last-run.json), best effort: a failure is logged. A merge
   * removes its marker here, which until then is what tells a merge run again that this one was committed.
   */
  afterRecord?(): Promise<void>;
  /**
   * Whether the outcome lists the daily summaries (for the per-day table) [true]. Without the table they are not
   * kept: one a tenant-day, held to the end of the run, they were most of what a fleet's summary pass left alive.
   */
  dailies?: boolean;
  /** The AWS SDK's retries of the run's S3 requests (S3RetryLog), when the run uses S3: the run event's `s3_retries`. */
  s3Retries?: { readonly retries: number };
  /** For tests: afterDelivery runs when every sink took the summaries, just before the state commit. */
  hooks?: { afterDelivery?(): void | Promise<void> };
}

/** How much the run held in memory at once (what the bounded day cache is for). */
export interface RunMemory {
  peakResidentDays: number;
  evictions: number;
  reloads: number;
  /** Most days of active user ids held by a 30-day window. */
  peakWindowDays: number;
}

export interface RunOutcome {
  /** 2 when the state turned out corrupt mid-run (as when opening it). */
  exitCode: ExitCode;
  run: RunEvent;
  /** The daily summaries handed to the sinks (one per tenant-day), for the per-day table; none unless `dailies`. */
  dailies: readonly DailyEvent[];
  memory: RunMemory;
  /** Whether the run was committed to its state (its last part). */
  committed: boolean;
  /** What checkpoints committed before the last part: kept by a run that was stopped or failed after them. */
  checkpoints: CheckpointTally;
  /**
   * Events left undelivered by the end, the run event's own delivery included (its hec_* fields were taken before
   * it): kept in the spool for a later run, this run's and earlier runs' still waiting; refused for good, set aside.
   */
  undelivered: { spooled: number; refused: number };
}

/**
 * One run: read every input object, decode it, roll it up, then hand the summaries to every sink and finally
 * the `run` event that says what happened. The only place that knows the order of those steps.
 */
export async function runJob(options: RunOptions): Promise<RunOutcome> {
  const { state } = options;
  const abandoned = sweepAbandonedScratchDirs();
  if (abandoned.length > 0) options.logger.info({ removed: abandoned }, 'removed the temporary folders of runs that were killed');
  // Evicted tenant-days and staged commit files; a state keeps its own beside it (same file system).
  const scratchDir = state?.scratchDir ?? scratchDirFor('run');
  try {
    return await runSteps(options, scratchDir);
  } finally {
    if (!state) rmSync(scratchDir, { recursive: true, force: true });
    await state?.release();
  }
}

/** Defaults of a --state run's checkpoints: whichever comes first. */
export const DEFAULT_CHECKPOINT_OBJECTS = 250;
export const DEFAULT_CHECKPOINT_MINUTES = 5;

/** What the checkpoints of a run committed before it ended (all of its reading when it ran to its end). */
export interface CheckpointTally {
  commits: number;
  objects: number;
}

async function runSteps(options: RunOptions, scratchDir: string): Promise<RunOutcome> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const runId = options.runId ?? randomUUID();
  const log = options.logger.child({ run_id: runId });
  const { state } = options;

  // A run with a state goes in parts: each part reads some objects, then delivers the summaries of the days they
  // touched and commits (a checkpoint), and the next part reads on against what was committed, as a later run
  // would. A run stopped or killed keeps its checkpoints; the rerun skips the objects they recorded.
  const until = state
    ? {
        objects: options.checkpoint?.objects ?? DEFAULT_CHECKPOINT_OBJECTS,
        ms: options.checkpoint?.ms ?? DEFAULT_CHECKPOINT_MINUTES * 60_000,
        now: () => now().getTime(),
      }
    : undefined;
  // Listed once for every part: each part reads on from where the one before stopped.
  const dayBounded = options.from !== undefined || options.to !== undefined;
  const readDays = readDaysKey(options.from, options.to);
  const listing = new RunListing({ ...objectReadingOf(options), dayBounded, readDays, state, progress: options.progress, signal: options.signal, log });
  const read: ReadTotals = { objects: 0, bytes: 0, malformed: 0, rejected: 0, quarantineTruncated: 0, skipped: 0, gone: 0, objectsRead: [], more: false };
  const checkpoints: CheckpointTally = { commits: 0, objects: 0 };
  const meta = { runId, generatedAt: now().toISOString(), ...options.config.splunk };
  // Each part stamps its summaries anew, strictly after the part before (even on a clock that did not move): a day
  // re-emitted at a later checkpoint must be the newer copy for the "latest generated_at per summary_id" search.
  let lastStamp = Date.parse(meta.generatedAt) - 1;
  const stampPart = () => {
    lastStamp = Math.max(now().getTime(), lastStamp + 1);
    meta.generatedAt = new Date(lastStamp).toISOString();
  };
  const handOver = new SummaryHandOver(options.sinks, options.dailies ?? true);
  const memory: RunMemory = { peakResidentDays: 0, evictions: 0, reloads: 0, peakWindowDays: 0 };
  let rollup: DayRollup | undefined;
  let failure: Error | undefined;
  /** Tenant-days given records, over every part. */
  const changedKeys = new Set<string>();
  let summarized = false;
  let stoppedBy: RunStopped | undefined;
  /** What reconcile needs, gathered over every part (a later part's counts of a day supersede an earlier's). */
  const reconcile = new Map<string, ReconcileInputs>();
  let auth0StatsErrors: RunEvent['auth0_stats_errors'] = options.auth0 ? { count: 0, tenants: [] } : undefined;
  /** Set by the Auth0 statistics step: the API days still to be read, committed with the run (StateManifest.auth0Pending). */
  let auth0Pending: Record<string, string[]> | undefined;
  let committed = false;
  /** The part's day store: its spill file is closed before the part's scratch folder goes. */
  let store: DayStore | undefined;

  try {
    for (let part = 1; ; part++) {
      // 1. Read: objects into the rollup, their figures kept per tenant-day (evicted to scratch files as needed).
      const partDir = path.join(scratchDir, `part-${part}`);
      store = new DayStore({ stored: state, scratchDir: partDir, residentLimit: options.residentDays });
      if (rollup) rollup.useStore(store);
      else {
        rollup = new DayRollup({
          config: options.config,
          timezone: options.timezone,
          from: options.from,
          to: options.to,
          store,
          onUncheckedDay: (slot) =>
            log.warn({ tenant: slot.tenant, day: slot.day }, 'log_ids of this day are no longer kept (--dedup-days): its records are counted without the check against earlier runs'),
        });
      }
      const partRead = await readObjects({
        ...objectReadingOf(options),
        defaultTenant: options.config.tenant,
        dayBounded,
        readDays,
        // A merge's inputs are the shards' record files, which must be there.
        skipGone: options.merged === undefined,
        rollup,
        state,
        quarantine: options.quarantine,
        quarantineItemsPerObject: options.quarantineItemsPerObject,
        progress: options.progress,
        signal: options.signal,
        log,
        listing,
        until,
      });
      read.objects += partRead.objects;
      read.bytes += partRead.bytes;
      read.malformed += partRead.malformed;
      read.rejected += partRead.rejected;
      read.quarantineTruncated += partRead.quarantineTruncated;
      read.gone += partRead.gone;
      read.skipped += partRead.skipped;
      failure = partRead.failure;
      // Stopped while reading a state's run: the objects read to their end make one last checkpoint (those in
      // flight were cut off and are not recorded), so the rerun reads only the rest. Not a merge's: it is committed
      // whole, with its partials, or not at all (half a shard committed would make its rerun refuse that shard).
      if (state && !options.merged && failure instanceof RunStopped && partRead.objects > 0) {
        stoppedBy = failure;
        failure = undefined;
      }

      // The run reads nothing after this part (its reading ended, not stopped): Auth0's statistics come after it.
      const lastPart = !partRead.more && stoppedBy === undefined;

      // 2. Summarize and deliver: each tenant-day's summaries go to the sinks as the pass builds them. Nothing is
      // delivered after a failed read: partial figures would overwrite good ones under the same summary_id.
      let pass: SummaryPassResult | undefined;
      if (!failure) {
        stampPart();
        for (const slot of store.changedSlots()) changedKeys.add(`${slot.tenant}/${slot.day}`);
        try {
          pass = await runSummaryPass({
            store,
            timezone: options.timezone,
            config: options.config,
            meta,
            ...(state ? { onDayMerged: (slot, merged, ids) => state.stageDay(slot, merged, ids) } : {}),
            fingerprints: state !== undefined,
            reconcile: options.auth0 !== undefined,
            emit: (day) => handOver.add(day),
            ...(options.auth0 ? { activeUsersDay: dayBefore(now(), options.auth0.statsTimezone) } : {}),
          });
          mergeReconcileInputs(reconcile, pass.reconcile);
          summarized = true;
        } catch (err) {
          // A state that cannot be read: the days built so far still go out. The first error says why the run failed.
          failure = handOver.failure ?? (err as Error);
        }
        // Not the run's last summaries when later parts, or Auth0's statistics, follow: HEC then resends earlier runs'
        // spool only after them, less every summary the whole run rebuilt.
        const lastSummaries = !partRead.more && !(lastPart && options.auth0 !== undefined);
        await handOver.finish({ checkpoint: !lastSummaries });
        failure ??= handOver.failure;
      }
      const { peakResident, evictions, reloads } = store.stats;
      memory.peakResidentDays = Math.max(memory.peakResidentDays, peakResident);
      memory.evictions += evictions;
      memory.reloads += reloads;
      memory.peakWindowDays = Math.max(memory.peakWindowDays, pass?.peakWindowDays ?? 0);

      // Auth0's statistics for the days the run summarized, once the last part was read and delivered, and before its
      // commit: a run that cannot fetch them for good (credentials refused) or deliver them is not committed, so the
      // same command fetches them again; nothing after the commit would.
      if (lastPart && options.auth0 && !failure && summarized) {
        try {
          const stats = await readAuth0Stats(options.auth0, reconcile, state ? (state.committed?.auth0Pending ?? {}) : undefined, meta, () => now(), log, options.signal, new Set(store.tenants()));
          auth0Pending = stats.pending;
          auth0StatsErrors = stats.errors;
          if (stats.summaries.length > 0) await handOver.add(stats.summaries);
          // Credentials or scope refused: the settings are wrong, say so and fail (the log summaries went out).
          failure = stats.fatal;
        } finally {
          await handOver.finish();
        }
        failure ??= handOver.failure;
      }

      // 3. Commit: only now, with every summary delivered (or spooled), may the state move on. A crash before this
      // point leaves the previous checkpoint, and the rerun repeats these summaries with the same summary_ids.
      const more = (partRead.more || stoppedBy !== undefined) && !failure;
      if (!failure && state && pass) {
        try {
          // Every output file in place before the state moves on: a crash after the commit leaves them holding
          // what was committed.
          for (const sink of options.sinks) await sink.publish?.();
          // The items set aside (and the summaries HEC refused, when they go there) too: the committed objects are not
          // read again.
          await options.quarantine?.publish();
          await options.hooks?.afterDelivery?.();
          await state.commit({
            runId,
            startedAt: startedAt.toISOString(),
            emitted: pass.emitted,
            objectsRead: partRead.objectsRead,
            checkpoint: more,
            ...(auth0Pending ? { auth0Pending } : more && options.auth0 ? { auth0Pending: checkpointPending(state.committed?.auth0Pending, reconcile, options.auth0) } : {}),
          });
          if (more) {
            checkpoints.commits++;
            checkpoints.objects += partRead.objects;
            log.info({ state: state.location, objects: checkpoints.objects, days: changedKeys.size }, 'checkpoint committed; reading on');
          } else committed = true;
        } catch (err) {
          failure = err as Error;
          log.error({ state: state.location, err: failure.message }, 'the run was not committed to the state; the next run repeats its summaries');
        }
      }
      store.close();
      rmSync(partDir, { recursive: true, force: true });
      if (!more || failure || stoppedBy) break;
    }
  } finally {
    store?.close();
    listing.close();
  }
  if (committed && options.afterCommit) {
    try {
      await options.afterCommit();
    } catch (err) {
      failure = err as Error;
      log.error({ state: state?.location, err: failure.message }, 'the run was committed, but what it consumed could not be removed');
    }
  }
  failure ??= stoppedBy;
  // The items set aside must have reached --quarantine before the run event says how the run went (a run with a
  // state checked them before its commit): a full disk there otherwise shows only when the file is closed, after
  // a run event saying "ok" went to --output and HEC beside an exit code of 1.
  if (!failure && options.quarantine) {
    try {
      await options.quarantine.flush();
    } catch (err) {
      failure = err as Error;
    }
  }
  let { spooled, refused } = handOver;

  // 4. The run event, last: what happened, to every sink and to the state's record of runs.
  const eventInput: RunEventInput = {
    runId,
    startedAt,
    finishedAt: now(),
    inputs: options.merged?.inputs ?? options.inputs,
    timezone: options.timezone,
    read: options.merged ? { ...read, ...options.merged.read } : read,
    ...(options.merged ? { mergedShards: options.merged.shards } : {}),
    ...(options.s3Retries || options.merged?.s3Retries ? { s3Retries: (options.s3Retries?.retries ?? 0) + (options.merged?.s3Retries ?? 0) } : {}),
    rollup: rollup!,
    // Summarized even when delivery failed afterwards; none when reading or the summary pass failed.
    days: summarized ? changedKeys.size : 0,
    summaries: handOver.handedOver,
    status: failure ? 'failed' : spooled + refused + (auth0StatsErrors?.count ?? 0) > 0 ? 'partial' : 'ok',
    failure,
    sinks: options.sinks,
    auth0StatsErrors,
  };
  let run = buildRunEvent(eventInput);
  const recorded = (await state?.recordRun(run, committed)) === true;
  if (recorded && committed && options.afterRecord) {
    try {
      await options.afterRecord();
    } catch (err) {
      log.warn({ state: state?.location, err: (err as Error).message }, 'could not remove the marker of the committed merge; the next merge removes it');
    }
  }
  for (const sink of options.sinks) {
    try {
      const result = await sink.deliver([runEnvelope(run, meta)]);
      spooled += result.spooled;
      refused += result.rejected ?? 0;
    } catch (err) {
      // A sink that failed the run already throws that failure again: it was said.
      if (err !== failure) log.error({ sink: sink.name, err: (err as Error).message }, 'could not deliver the run event');
      if (!failure) {
        // The run event itself could not be written (a full disk): the run failed, and the sinks after this one,
        // and the run's own report, say so.
        failure = err as Error;
        run = buildRunEvent({ ...eventInput, status: 'failed', failure });
      }
    }
  }

  const exitCode = failure ? exitCodeOf(failure) : spooled + refused + (auth0StatsErrors?.count ?? 0) > 0 ? 3 : 0;
  // A day delivered at a checkpoint and again later: its latest daily summary stands for it.
  const dailies = [...new Map(handOver.dailies.map((daily) => [daily.summary_id, daily])).values()];
  return { exitCode, run, dailies, memory, committed, checkpoints, undelivered: { spooled, refused } };
}

/**
 * What a checkpoint commits as auth0Pending: the days waiting before, and the days this run changed so far of every
 * configured tenant. Their statistics are read after the run's last part; a run stopped or failed before it would
 * otherwise leave the days its checkpoints committed unreconciled for good (the rerun does not change them again).
 */
function checkpointPending(
  waiting: Readonly<Record<string, readonly string[]>> | undefined,
  reconcile: ReadonlyMap<string, ReconcileInputs>,
  auth0: Auth0StatsOptions,
): Record<string, string[]> {
  const pending: Record<string, string[]> = {};
  for (const [tenant, days] of Object.entries(waiting ?? {})) pending[tenant] = [...days];
  for (const { tenant } of auth0.sources) {
    const changed = reconcile.get(tenant)?.days ?? [];
    if (changed.length > 0) pending[tenant] = [...(pending[tenant] ?? []), ...changed];
  }
  return pending;
}
