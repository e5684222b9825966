/**
 * The run event stays readable by Splunk's automatic JSON extraction (it stops after `[kv] maxchars`, 10240 by
 * default): scalars first, lists last and capped, each with its full count beside it.
 */
import { buildRunEvent } from '../../../src/run/runEvent';
import { SummaryHandOver } from '../../../src/run/summaryHandOver';
import { runSummaryPass } from '../../../src/rollup/summaryPass';
import { SUMMARY_FIELDS, type SummaryEnvelope } from '../../../src/rollup/summaryEvent';
import type { DeliverOptions, DeliveryResult, SummarySink } from '../../../src/sinks/summarySink';
import { META, StatelessRun } from '../rollup/dayRollupKit';
import { defaultConfig, makeRecord } from '../rollup/rollupTestKit';

const read = { objects: 0, bytes: 0, malformed: 0, rejected: 0, quarantineTruncated: 0, skipped: 0, gone: 0 };
const startedAt = new Date('2024-06-02T02:00:00.000Z');
const finishedAt = new Date('2024-06-02T02:05:00.000Z');

/** Unknown codes `zz_000000`, `zz_000001`, …: zero-padded, so their sorted order is their numeric order. */
const unknownCode = (n: number) => `zz_${String(n).padStart(6, '0')}`;

/** One record of each unknown type code, all on 2024-06-01. */
function runWithUnknownTypes(count: number): StatelessRun {
  const records = Array.from({ length: count }, (_, n) => makeRecord({ type: unknownCode(n) }));
  return new StatelessRun().feed([records]);
}

/** Counts what it is given, keeping nothing (a run of 150,000 summaries). */
class CountingSink implements SummarySink {
  readonly name = 'counting';
  events = 0;
  largestCall = 0;
  async deliver(events: readonly SummaryEnvelope[], _options?: DeliverOptions): Promise<DeliveryResult> {
    this.events += events.length;
    this.largestCall = Math.max(this.largestCall, events.length);
    return { delivered: events.length, spooled: 0 };
  }
  async close(): Promise<void> {}
}

test('a run event with 10,000 inputs: status within its first 2 KB, every list capped at 100 with its count, lists last', () => {
  const inputs = Array.from({ length: 10_000 }, (_, i) => `s3://acme-logs/tenant-logs/2024/06/01/part-${String(i).padStart(5, '0')}.json.gz`);
  const run = runWithUnknownTypes(150);
  const event = buildRunEvent({ runId: 'run-1', startedAt, finishedAt, inputs, timezone: 'UTC', read, rollup: run.rollup, days: 1, summaries: 152, status: 'failed', failure: new Error('HEC refused the token'), sinks: [] });
  const line = JSON.stringify(event);

  expect(line.indexOf('"status":"failed"')).toBeGreaterThan(0);
  expect(line.indexOf('"status":"failed"')).toBeLessThan(2048);
  expect(line.indexOf('"error":"HEC refused the token"')).toBeLessThan(2048);
  expect([event.inputs_count, event.inputs.length]).toEqual([10_000, 100]);
  expect(event.inputs).toEqual(inputs.slice(0, 100));
  expect([event.unknown_types_count, event.unknown_types.length]).toEqual([150, 100]);
  expect(event.unknown_types).toEqual(Array.from({ length: 100 }, (_, n) => unknownCode(n)));
  // 100 inputs of 58 characters each and 100 codes of 9 bring it to about 8 KB: within Splunk's 10240 characters.
  expect(line.length).toBeLessThan(10_240);
  const keys = Object.keys(event);
  expect(keys.slice(-2)).toEqual(['inputs', 'unknown_types']);
  for (const key of keys.slice(0, -2)) expect(Array.isArray((event as unknown as Record<string, unknown>)[key])).toBe(false);
});

// The hostile benchmark's 300,000 codes overflowed the call stack where a day's summaries were spread into push();
// 150,000 is past that limit too (Node's default stack holds about 120,000 arguments) and takes half the time.
test('150,000 distinct unknown type codes in one day: every summary is handed over and the run event stays small', async () => {
  const count = 150_000;
  const run = runWithUnknownTypes(count);
  const sink = new CountingSink();
  const handOver = new SummaryHandOver([sink]);
  const pass = await runSummaryPass({ store: run.store, timezone: 'UTC', config: defaultConfig, meta: META, emit: (day) => handOver.add(day) });
  await handOver.finish();

  // One day: its daily summary, one event_type summary per code, coverage, active_users and the two quota summaries.
  expect(pass.summaries).toBe(1 + count + 1 + 1 + 2);
  expect(sink.events).toBe(pass.summaries);
  const event = buildRunEvent({ runId: 'run-1', startedAt, finishedAt, inputs: ['archive.ndjson'], timezone: 'UTC', read, rollup: run.rollup, days: 1, summaries: sink.events, status: 'ok', sinks: [sink] });
  expect([event.unknown_types_count, event.unknown_types.length]).toEqual([count, 100]);
  expect(JSON.stringify(event).length).toBeLessThan(10_240);
});

test('a sink that cannot take the run event fails the run: the sinks after it get a failed run event, scalars still first', async () => {
  const { runJob } = await import('../../../src/run/runJob');
  const { CollectingSink, configWith, silentLogger } = await import('../state/stateTestKit');
  const { OutputError } = await import('../../../src/sinks/ndjsonFile');
  /** Takes the summaries, then fails on the run event as a full disk would. */
  class FullOnRunEvent implements SummarySink {
    readonly name = 'full';
    async deliver(events: readonly SummaryEnvelope[]): Promise<DeliveryResult> {
      if (events.some((e) => (e.event as { summary?: string }).summary === 'run')) throw new OutputError('cannot write out.ndjson: ENOSPC');
      return { delivered: events.length, spooled: 0 };
    }
    async close(): Promise<void> {}
  }
  const after = new CollectingSink();
  const outcome = await runJob({ inputs: [], config: configWith(), timezone: 'UTC', openSource: () => ({ input: '', list: async function* () {} }), sinks: [new FullOnRunEvent(), after], concurrency: 1, logger: silentLogger });
  const run = after.events.at(-1)!.event as unknown as Record<string, unknown>;
  expect([run.summary, run.status, run.error, run.error_code]).toEqual(['run', 'failed', 'cannot write out.ndjson: ENOSPC', 'ERR_OUTPUT']);
  expect([outcome.exitCode, outcome.run.status]).toEqual([1, 'failed']);
  // The failed event keeps the order of every run event: error and error_code before the lists.
  const keys = Object.keys(run);
  expect(keys.slice(-2)).toEqual(['inputs', 'unknown_types']);
  expect(keys.indexOf('error_code')).toBe(keys.indexOf('error') + 1);
});

test('s3_retries, when given, comes in its SUMMARY_FIELDS.run place: after merged_shards, before the HEC fields', () => {
  // Only its stats() is asked for, as of the HEC sink.
  const hec = { stats: () => ({ hec_requests: 3, hec_retries: 1, hec_events_sent: 5, hec_events_spooled: 0, hec_events_rejected: 0 }) } as unknown as SummarySink;
  const event = buildRunEvent({ runId: 'run-1', startedAt, finishedAt, inputs: ['s3://b/p/'], timezone: 'UTC', read, rollup: undefined, days: 0, summaries: 0, status: 'ok', sinks: [hec], mergedShards: 2, s3Retries: 7 });
  expect(event.s3_retries).toBe(7);
  const keys = Object.keys(event);
  expect(keys).toEqual(SUMMARY_FIELDS.run.filter((field) => keys.includes(field)));
  expect(keys.slice(keys.indexOf('merged_shards'), keys.indexOf('merged_shards') + 3)).toEqual(['merged_shards', 's3_retries', 'hec_requests']);
  // Absent unless given (a run without S3).
  expect('s3_retries' in buildRunEvent({ runId: 'run-1', startedAt, finishedAt, inputs: [], timezone: 'UTC', read, rollup: undefined, days: 0, summaries: 0, status: 'ok', sinks: [] })).toBe(false);
});
