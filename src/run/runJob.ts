import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { UsageConfig } from '../config/schema';
import type { DecodeSink, QuarantineItem, QuarantineKind } from '../decode/logRecord';
import { decodeStream, type DecodeOptions, type DecodeStats } from '../decode/decodeStream';
import type { DailyEvent, RunEvent, RunStatus, SummaryEnvelope } from '../rollup/summaryEvent';
import { InputError, type InputObject, type Source } from '../sources/inputObject';
import { DayRollup } from '../rollup/dayRollup';
import { DayStore } from '../rollup/dayStore';
import type { RunState } from '../state/runState';
import { StateError } from '../state/stateErrors';
import { runSummaryPass, type SummaryPassResult } from '../rollup/summaryPass';
import type { SummarySink } from '../sinks/summarySink';
import type { QuarantineFile } from '../sinks/quarantineFile';
import { forEachConcurrent } from '../support/forEachConcurrent';
import { exitCodeOf } from '../support/errors';
import { SummaryHandOver } from './summaryHandOver';
import { ReadStopper, RunStopped, stopReason } from './runStop';
import type { Logger } from '../support/logger';
import type { ProgressReporter } from './progressReporter';

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

/** Counters for what decoding set aside: they join the run's figures only when their object is read to the end. */
interface ObjectTally {
  items: QuarantineItem[];
  malformed: number;
  rejected: number;
}

/** Extra `run` event fields a sink reports about its delivery (HEC request and retry counts). */
export interface SinkStats {
  stats?(): Record<string, number>;
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
  const totals = { objects: 0, bytes: 0, malformed: 0, rejected: 0, skipped: 0 };
  const objectsRead: InputObject[] = [];
  const retries = options.readRetries ?? 3;
  const isRetryable = options.isRetryableReadError ?? (() => false);
  const decode = options.decode ?? decodeStream;
  const stopper = new ReadStopper(options.signal);

  async function readObject(object: InputObject): Promise<void> {
    options.progress?.objectStarted(object.name);
    for (let attempt = 0; ; attempt++) {
      const partial = rollup.beginObject();
      const tally: ObjectTally = { items: [], malformed: 0, rejected: 0 };
      let position = 0;
      let bytes = 0;
      let unwatch = () => {};
      try {
        const stream: Readable = await stopper.unlessStopped(object.open(), (late) => late.destroy());
        unwatch = stopper.watch(() => stream.destroy(stopper.error()));
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          options.progress?.bytesRead(chunk.length);
        });
        await decode(stream, { source: object.name, defaultTenant: options.config.tenant }, {
          record: (record) => {
            position++;
            // A record without any id gets one from its place in the object, so that re-reading the object (an
            // edge object of --from/--to, or one that grew) finds it already counted instead of counting it again.
            partial.add(record.logId === null ? { ...record, logId: `${object.name}#${position}` } : record);
          },
          quarantine: (kind: QuarantineKind, item: QuarantineItem) => {
            tally[kind]++;
            if (options.quarantine) tally.items.push(item);
          },
        });
      } catch (err) {
        partial.abort();
        if (attempt < retries && isRetryable(err) && !stopper.stopped) {
          log.warn({ object: object.name, attempt: attempt + 1, err: (err as Error).message }, 're-reading object from the start');
          continue;
        }
        throw nameTheObject(err, object.name);
      } finally {
        unwatch();
      }
      partial.commit();
      // An object with records outside --from/--to is not done with: a run over a wider range reads it again.
      if (!partial.sawOutOfRange) objectsRead.push(object);
      totals.objects++;
      totals.bytes += bytes;
      totals.malformed += tally.malformed;
      totals.rejected += tally.rejected;
      if (tally.malformed + tally.rejected > 0) {
        log.warn({ object: object.name, malformed: tally.malformed, rejected: tally.rejected }, 'input items set aside');
      }
      if (options.quarantine && tally.items.length) await options.quarantine.write(tally.items);
      options.progress?.objectDone();
      return;
    }
  }

  async function* allObjects(): AsyncGenerator<InputObject> {
    for (const input of options.inputs) {
      let listed = 0;
      for await (const object of options.openSource(input).list()) {
        listed++;
        if (state?.objects.isUnchanged(object)) {
          totals.skipped++;
          continue;
        }
        options.progress?.objectListed(object.size);
        yield object;
      }
      // An empty folder or prefix is more often a wrong path or a stopped log stream than a quiet day. With
      // --from/--to, S3 listing already leaves out keys dated outside the days, so there it may be expected.
      if (listed === 0) {
        if (options.from === undefined && options.to === undefined) log.warn({ input }, 'input holds no files or objects: check the path or prefix');
        else log.info({ input }, 'input holds no files or objects for the --from/--to days');
      }
    }
  }

  let failure: Error | undefined;
  try {
    await forEachConcurrent(allObjects(), options.concurrency, readObject, options.signal);
  } catch (err) {
    const stopped = options.signal?.aborted === true && err === options.signal.reason;
    failure = stopped ? new RunStopped(`${stopReason(options.signal!)} while reading`) : (err as Error);
  } finally {
    stopper.dispose();
    await options.endDecoding?.();
  }
  options.progress?.finish();
  if (totals.skipped > 0) log.info({ skipped: totals.skipped }, 'objects read by an earlier run skipped');
  if (!failure && totals.objects > 0 && rollup.counters.records === 0) {
    log.warn({ objects: totals.objects, malformed: totals.malformed, rejected: totals.rejected }, 'no log records in the files read: are they Auth0 log archives?');
  }

  const meta = {
    runId,
    generatedAt: now().toISOString(),
    source: options.config.splunk.source,
    sourcetype: options.config.splunk.sourcetype,
    index: options.config.splunk.index,
  };
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

  // Only now, with every summary delivered (or spooled), may the state move on: a crash before this point
  // leaves the previous state, and the rerun repeats these summaries with the same summary_ids.
  let committed = false;
  if (!failure && state && pass) {
    try {
      await options.hooks?.afterDelivery?.();
      await state.commit({ runId, startedAt: startedAt.toISOString(), emitted: pass.emitted, objectsRead });
      committed = true;
    } catch (err) {
      failure = err as Error;
      log.error({ state: state.location, err: failure.message }, 'the run was not committed to the state; the next run repeats its summaries');
    }
  }

  const status: RunStatus = failure ? 'failed' : spooled + refused > 0 ? 'partial' : 'ok';
  const run: RunEvent = {
    summary: 'run',
    run_id: runId,
    started_at: startedAt.toISOString(),
    finished_at: now().toISOString(),
    inputs: [...options.inputs],
    objects: totals.objects,
    bytes: totals.bytes,
    records: rollup.counters.records,
    duplicates: rollup.counters.duplicates,
    malformed: totals.malformed,
    rejected: totals.rejected,
    out_of_range: rollup.counters.outOfRange,
    dedup_unavailable: rollup.counters.dedupUnavailable,
    unknown_types: rollup.unknownTypes(),
    // Summarized even when delivery failed afterwards; none when reading or the summary pass failed.
    days: pass?.changedDays ?? 0,
    summaries: handOver.handedOver,
    status,
    tz: options.timezone,
    ...(failure ? { error: failure.message } : {}),
  };
  for (const sink of options.sinks) Object.assign(run, (sink as SinkStats).stats?.() ?? {});
  await state?.recordRun(run, committed);
  const runEnvelope: SummaryEnvelope<RunEvent> = {
    time: Math.floor(startedAt.getTime() / 1000),
    host: os.hostname(),
    source: meta.source,
    sourcetype: meta.sourcetype,
    ...(meta.index ? { index: meta.index } : {}),
    event: run,
  };
  for (const sink of options.sinks) {
    try {
      const result = await sink.deliver([runEnvelope]);
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

/** A read error that does not say which input it came from (a stream's EIO, a cut-off file) gets the name added. */
function nameTheObject(err: unknown, name: string): unknown {
  if (err instanceof InputError || err instanceof StateError || !(err instanceof Error) || err.message.includes(name)) return err;
  return new InputError(`cannot read input ${name}: ${err.message}`, { cause: err });
}
