import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Readable } from 'node:stream';
import type { UsageConfig } from '../config/schema';
import type { QuarantineItem, QuarantineKind } from '../decode/logRecord';
import { decodeStream } from '../decode/decodeStream';
import { UsageRollup } from '../rollup/usageRollup';
import type { RunEvent, RunStatus, SummaryEnvelope } from '../rollup/summaryEvent';
import type { InputObject, Source } from '../sources/inputObject';
import type { SummarySink } from '../sinks/summarySink';
import type { QuarantineFile } from '../sinks/quarantineFile';
import { forEachConcurrent } from './forEachConcurrent';
import type { Logger } from './logger';
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
  progress?: ProgressReporter;
  runId?: string;
  now?(): Date;
}

export interface RunOutcome {
  exitCode: 0 | 1 | 3;
  run: RunEvent;
  summaries: readonly SummaryEnvelope[];
}

/** Counters for what decoding set aside: they join the run's figures only when their object is read to the end. */
interface ObjectTally {
  items: QuarantineItem[];
  malformed: number;
  rejected: number;
}

/** A run that could not finish: no summaries are delivered (partial figures would overwrite good ones). */
export class RunFailure extends Error {
  override readonly name = 'RunFailure';
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
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const runId = options.runId ?? randomUUID();
  const log = options.logger.child({ run_id: runId });
  const rollup = new UsageRollup({ config: options.config, timezone: options.timezone, from: options.from, to: options.to });
  const totals = { objects: 0, bytes: 0, malformed: 0, rejected: 0 };
  const retries = options.readRetries ?? 3;
  const isRetryable = options.isRetryableReadError ?? (() => false);

  async function readObject(object: InputObject): Promise<void> {
    options.progress?.objectStarted(object.name);
    for (let attempt = 0; ; attempt++) {
      const partial = rollup.beginObject();
      const tally: ObjectTally = { items: [], malformed: 0, rejected: 0 };
      let bytes = 0;
      try {
        const stream: Readable = await object.open();
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          options.progress?.bytesRead(chunk.length);
        });
        await decodeStream(stream, { source: object.name, defaultTenant: options.config.tenant }, {
          record: (record) => partial.add(record),
          quarantine: (kind: QuarantineKind, item: QuarantineItem) => {
            tally[kind]++;
            if (options.quarantine) tally.items.push(item);
          },
        });
      } catch (err) {
        partial.abort();
        if (attempt < retries && isRetryable(err)) {
          log.warn({ object: object.name, attempt: attempt + 1, err: (err as Error).message }, 're-reading object from the start');
          continue;
        }
        throw err;
      }
      partial.commit();
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
      for await (const object of options.openSource(input).list()) {
        options.progress?.objectListed(object.size);
        yield object;
      }
    }
  }

  let failure: Error | undefined;
  try {
    await forEachConcurrent(allObjects(), options.concurrency, readObject);
  } catch (err) {
    failure = err as Error;
  }
  options.progress?.finish();

  const meta = {
    runId,
    generatedAt: now().toISOString(),
    source: options.config.splunk.source,
    sourcetype: options.config.splunk.sourcetype,
    index: options.config.splunk.index,
  };
  const summaries = failure ? [] : rollup.summaries(meta);
  let spooled = 0;
  for (const sink of options.sinks) {
    if (failure) break;
    try {
      spooled += (await sink.deliver(summaries)).spooled;
    } catch (err) {
      failure = err as Error;
    }
  }

  const status: RunStatus = failure ? 'failed' : spooled > 0 ? 'partial' : 'ok';
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
    unknown_types: rollup.unknownTypes(),
    days: failure ? 0 : rollup.tenantDays(),
    summaries: summaries.length,
    status,
    tz: options.timezone,
    ...(failure ? { error: failure.message } : {}),
  };
  for (const sink of options.sinks) Object.assign(run, (sink as SinkStats).stats?.() ?? {});
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
      spooled += (await sink.deliver([runEnvelope])).spooled;
    } catch (err) {
      log.error({ sink: sink.name, err: (err as Error).message }, 'could not deliver the run event');
      failure ??= err as Error;
    }
  }

  const exitCode = failure ? 1 : spooled > 0 ? 3 : 0;
  return { exitCode, run, summaries };
}
