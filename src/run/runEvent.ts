import os from 'node:os';
import type { DayRollup } from '../rollup/dayRollup';
import { summaryEnvelope } from '../rollup/bucketEnvelope';
import type { SummaryMeta } from '../rollup/summaryBuilder';
import type { RunEvent, RunStatus, SummaryEnvelope } from '../rollup/summaryEvent';
import type { SummarySink } from '../sinks/summarySink';
import type { ReadTotals } from './readObjects';

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
  read: Omit<ReadTotals, 'objectsRead' | 'failure'>;
  rollup: DayRollup;
  /** Tenant-days summarized; 0 when reading or the summary pass failed. */
  days: number;
  summaries: number;
  status: RunStatus;
  failure?: Error;
  sinks: readonly SummarySink[];
  /** Present when Auth0 statistics were asked for. */
  auth0StatsErrors?: RunEvent['auth0_stats_errors'];
}

/** The `run` event: what the run read, counted, summarized and delivered, and how it ended. */
export function buildRunEvent(input: RunEventInput): RunEvent {
  const { read, rollup } = input;
  const run: RunEvent = {
    summary: 'run',
    run_id: input.runId,
    started_at: input.startedAt.toISOString(),
    finished_at: input.finishedAt.toISOString(),
    inputs: [...input.inputs],
    objects: read.objects,
    bytes: read.bytes,
    records: rollup.counters.records,
    duplicates: rollup.counters.duplicates,
    malformed: read.malformed,
    rejected: read.rejected,
    out_of_range: rollup.counters.outOfRange,
    dedup_unavailable: rollup.counters.dedupUnavailable,
    unknown_types: rollup.unknownTypes(),
    days: input.days,
    summaries: input.summaries,
    status: input.status,
    tz: input.timezone,
    ...(input.failure ? { error: input.failure.message } : {}),
  };
  for (const sink of input.sinks) Object.assign(run, (sink as SinkStats).stats?.() ?? {});
  if (input.auth0StatsErrors !== undefined) run.auth0_stats_errors = input.auth0StatsErrors;
  return run;
}

/** The run event's envelope: stamped with the run's start and this machine's name. */
export function runEnvelope(run: RunEvent, meta: Pick<SummaryMeta, 'source' | 'sourcetype' | 'index'>): SummaryEnvelope<RunEvent> {
  return summaryEnvelope(run, Date.parse(run.started_at), os.hostname(), meta);
}
