import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { UsageConfig } from '../config/schema';
import { decodeStream, type DecodeOptions, type DecodeStats } from '../decode/decodeStream';
import type { DecodeSink } from '../decode/logRecord';
import { DayRollup } from '../rollup/dayRollup';
import { DayStore } from '../rollup/dayStore';
import type { DailyEvent, RunEvent } from '../rollup/summaryEvent';
import { runSummaryPass, type SummaryPassResult } from '../rollup/summaryPass';
import type { QuarantineFile } from '../sinks/quarantineFile';
import type { SummarySink } from '../sinks/summarySink';
import type { Source } from '../sources/inputObject';
import type { RunState } from '../state/runState';
import { exitCodeOf } from '../support/errors';
import type { Logger } from '../support/logger';
import type { ProgressReporter } from './progressReporter';
import { readObjects } from './readObjects';
import { buildRunEvent, runEnvelope } from './runEvent';
import { SummaryHandOver } from './summaryHandOver';

export type { SinkStats } from './runEvent';

export interface RunOptions {
  inputs: readonly string[];
  config: UsageConfig;
  timezone: string;
  from?: string;
  to?: string;
  /** Resolves one `--input` to where its objects come from (local path or s3:// URL). */
  openSource(input: string): Source;
  sinks: readonly SummarySink[];
  quarantine?: QuarantineFile;
  /** Objects read at once. */
  concurrency: number;
  /** Whole-object re-reads after a retryable read error (a stalled or broken S3 body). */
  readRetries?: number;
  isRetryableReadError?(err: unknown): boolean;
  logger: Logger;
  /** How one object's bytes become records: on this thread (the default) or on decode worker threads. */
  decode?: (input: Readable, options: DecodeOptions, sink: DecodeSink) => Promise<DecodeStats>;
  /** Called once no object is read any more, so decode threads end and give back their memory before the summaries are built. */
  endDecoding?(): Promise<void>;
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
   * (`<reason's message> while reading`; nothing delivered, no commit). Later it runs to its end: sinks that wait
   * (HEC) take the same signal themselves.
   */
  signal?: AbortSignal;
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
  exitCode: 0 | 1 | 2 | 3;
  run: RunEvent;
  /** The daily summaries handed to the sinks (one per tenant-day), for the per-day table. */
  dailies: readonly DailyEvent[];
  memory: RunMemory;
  /** Whether the run was committed to its state. */
  committed: boolean;
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
  // Evicted tenant-days and staged commit files; a state keeps its own beside it (same file system).
  const scratchDir = state?.scratchDir ?? path.join(os.tmpdir(), `auth0-usage-${process.pid}-${randomUUID().slice(0, 8)}`);
  try {
    return await runSteps(options, scratchDir);
  } finally {
    if (!state) rmSync(scratchDir, { recursive: true, force: true });
    await state?.release();
  }
}

async function runSteps(options: RunOptions, scratchDir: string): Promise<RunOutcome> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const runId = options.runId ?? randomUUID();
  const log = options.logger.child({ run_id: runId });
  const { state } = options;

  // 1. Read: every object into the rollup, its figures kept per tenant-day (evicted to scratch files as needed).
  const store = new DayStore({ stored: state, scratchDir, residentLimit: options.residentDays });
  const rollup = new DayRollup({
    config: options.config,
    timezone: options.timezone,
    from: options.from,
    to: options.to,
    store,
    onUncheckedDay: (slot) =>
      log.warn({ tenant: slot.tenant, day: slot.day }, 'log_ids of this day are no longer kept (--dedup-days): its records are counted without the check against earlier runs'),
  });
  const read = await readObjects({
    inputs: options.inputs,
    openSource: options.openSource,
    concurrency: options.concurrency,
    readRetries: options.readRetries ?? 3,
    isRetryableReadError: options.isRetryableReadError ?? (() => false),
    decode: options.decode ?? decodeStream,
    endDecoding: options.endDecoding,
    defaultTenant: options.config.tenant,
    dayBounded: options.from !== undefined || options.to !== undefined,
    rollup,
    state,
    quarantine: options.quarantine,
    progress: options.progress,
    signal: options.signal,
    log,
  });
  let failure = read.failure;

  // 2. Summarize and deliver: each tenant-day's summaries go to the sinks as the pass builds them. Nothing is
  // delivered after a failed read: partial figures would overwrite good ones under the same summary_id.
  const meta = { runId, generatedAt: now().toISOString(), ...options.config.splunk };
  const handOver = new SummaryHandOver(options.sinks);
  let pass: SummaryPassResult | undefined;
  if (!failure) {
    try {
      pass = await runSummaryPass({
        store,
        timezone: options.timezone,
        config: options.config,
        meta,
        ...(state ? { onDayMerged: (slot, merged, ids) => state.stageDay(slot, merged, ids) } : {}),
        emit: (day) => handOver.add(day),
      });
    } catch (err) {
      // A state that cannot be read: the days built so far still go out. The first error says why the run failed.
      failure = handOver.failure ?? (err as Error);
    }
    await handOver.finish();
    failure ??= handOver.failure;
  }
  // Events a sink could not deliver: kept for the next run (spooled) or refused for good and set aside (rejected).
  let { spooled, refused } = handOver;

  // 3. Commit: only now, with every summary delivered (or spooled) and every output file in place, may the state
  // move on. A crash before this point leaves the previous state, and the rerun repeats these summaries with the
  // same summary_ids; a crash after it leaves the outputs holding them.
  let committed = false;
  if (!failure && state && pass) {
    try {
      for (const sink of options.sinks) await sink.publish?.();
      await options.hooks?.afterDelivery?.();
      await state.commit({ runId, startedAt: startedAt.toISOString(), emitted: pass.emitted, objectsRead: read.objectsRead });
      committed = true;
    } catch (err) {
      failure = err as Error;
      log.error({ state: state.location, err: failure.message }, 'the run was not committed to the state; the next run repeats its summaries');
    }
  }

  // 4. The run event, last: what happened, to every sink and to the state's record of runs.
  const run = buildRunEvent({
    runId,
    startedAt,
    finishedAt: now(),
    inputs: options.inputs,
    timezone: options.timezone,
    read,
    rollup,
    // Summarized even when delivery failed afterwards; none when reading or the summary pass failed.
    days: pass?.changedDays ?? 0,
    summaries: handOver.handedOver,
    status: failure ? 'failed' : spooled + refused > 0 ? 'partial' : 'ok',
    failure,
    sinks: options.sinks,
  });
  await state?.recordRun(run, committed);
  for (const sink of options.sinks) {
    try {
      const result = await sink.deliver([runEnvelope(run, meta)]);
      spooled += result.spooled;
      refused += result.rejected ?? 0;
    } catch (err) {
      log.error({ sink: sink.name, err: (err as Error).message }, 'could not deliver the run event');
      failure ??= err as Error;
    }
  }

  const exitCode = failure ? exitCodeOf(failure) : spooled + refused > 0 ? 3 : 0;
  const { peakResident, evictions, reloads } = store.stats;
  const memory = { peakResidentDays: peakResident, evictions, reloads, peakWindowDays: pass?.peakWindowDays ?? 0 };
  return { exitCode, run, dailies: handOver.dailies, memory, committed, undelivered: { spooled, refused } };
}
