import os from 'node:os';
import type { DayRollup } from '../rollup/dayRollup';
import { summaryEnvelope } from '../rollup/bucketEnvelope';
import type { SummaryMeta } from '../rollup/summaryBuilder';
import { RUN_EVENT_LIST_CAP, type RunEvent, type RunStatus, type SummaryEnvelope } from '../rollup/summaryEvent';
import type { SummarySink } from '../sinks/summarySink';
import type { ReadTotals } from './readObjects';
import { Auth0UsageError } from '../support/errors';

/** Extra `run` event fields a sink reports about its delivery (HEC request and retry counts). */
export interface SinkStats {
  stats?(): Record<string, number>;
}

export interface RunEventInput {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  inputs: readonly string[];
  timezone: string;
  /** A merge's read figures carry `countedBefore`: records its shards read and did not write, of days an earlier run counted (records and duplicates). */
  read: Omit<ReadTotals, 'objectsRead' | 'failure' | 'more'> & { countedBefore?: number };
  /** Undefined for a run that ended before its first object (see failedBeforeReading). */
  rollup: Pick<DayRollup, 'counters' | 'unknownTypes'> | undefined;
  /** Tenant-days summarized; 0 when reading or the summary pass failed. */
  days: number;
  summaries: number;
  status: RunStatus;
  failure?: Error;
  sinks: readonly SummarySink[];
  /** A merge: how many shards it merged. */
  mergedShards?: number;
  /** A run that uses S3: the AWS SDK's retries of its requests. */
  s3Retries?: number;
  /** Present when Auth0 statistics were asked for. */
  auth0StatsErrors?: RunEvent['auth0_stats_errors'];
}

const NOTHING_COUNTED: NonNullable<RunEventInput['rollup']> = {
  counters: { records: 0, duplicates: 0, outOfRange: 0, dedupUnavailable: 0 },
  unknownTypes: () => [],
};

/** The `run` event: what the run read, counted, summarized and delivered, and how it ended; scalars first, lists last. */
export function buildRunEvent(input: RunEventInput): RunEvent {
  const { read } = input;
  const rollup = input.rollup ?? NOTHING_COUNTED;
  const unknownTypes = rollup.unknownTypes();
  const scalars = {
    summary: 'run' as const,
    run_id: input.runId,
    status: input.status,
    started_at: input.startedAt.toISOString(),
    finished_at: input.finishedAt.toISOString(),
    tz: input.timezone,
    objects: read.objects,
    bytes: read.bytes,
    records: rollup.counters.records + (read.countedBefore ?? 0),
    duplicates: rollup.counters.duplicates + (read.countedBefore ?? 0),
    malformed: read.malformed,
    rejected: read.rejected,
    ...(read.quarantineTruncated > 0 ? { quarantine_truncated: read.quarantineTruncated } : {}),
    ...(read.gone > 0 ? { objects_gone: read.gone } : {}),
    out_of_range: rollup.counters.outOfRange,
    dedup_unavailable: rollup.counters.dedupUnavailable,
    days: input.days,
    summaries: input.summaries,
    inputs_count: input.inputs.length,
    unknown_types_count: unknownTypes.length,
    ...(input.mergedShards === undefined ? {} : { merged_shards: input.mergedShards }),
    ...(input.s3Retries === undefined ? {} : { s3_retries: input.s3Retries }),
  };
  const sinkFields: Record<string, number> = {};
  for (const sink of input.sinks) Object.assign(sinkFields, (sink as SinkStats).stats?.() ?? {});
  return {
    ...scalars,
    ...sinkFields,
    ...(input.failure ? { error: input.failure.message } : {}),
    // The failure's stable code, for alerts and searches that must not depend on the message's wording.
    ...(input.failure instanceof Auth0UsageError ? { error_code: input.failure.code } : {}),
    // Its list is capped too (AUTH0_STATS_ERRORS_LISTED), beside the whole count.
    ...(input.auth0StatsErrors === undefined ? {} : { auth0_stats_errors: input.auth0StatsErrors }),
    inputs: input.inputs.slice(0, RUN_EVENT_LIST_CAP),
    unknown_types: unknownTypes.slice(0, RUN_EVENT_LIST_CAP),
  };
}

/** The `run` event of a run that failed before it read anything (its state could not be opened): all counts 0. */
export function failedBeforeReading(input: Pick<RunEventInput, 'runId' | 'startedAt' | 'finishedAt' | 'inputs' | 'timezone' | 's3Retries'> & { failure: Error }): RunEvent {
  const read = { objects: 0, bytes: 0, malformed: 0, rejected: 0, quarantineTruncated: 0, skipped: 0, gone: 0 };
  return buildRunEvent({ ...input, read, rollup: undefined, days: 0, summaries: 0, status: 'failed', sinks: [] });
}

/** The run event's envelope: stamped with the run's start and this machine's name. */
export function runEnvelope(run: RunEvent, meta: Pick<SummaryMeta, 'source' | 'sourcetype' | 'index'>): SummaryEnvelope<RunEvent> {
  return summaryEnvelope(run, Date.parse(run.started_at), os.hostname(), meta);
}
