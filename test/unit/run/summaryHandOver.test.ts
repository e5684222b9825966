import { SummaryHandOver } from '../../../src/run/summaryHandOver';
import { runSummaryPass } from '../../../src/rollup/summaryPass';
import type { SummaryEnvelope } from '../../../src/rollup/summaryEvent';
import type { DeliveryResult, SummarySink } from '../../../src/sinks/summarySink';
import { META, StatelessRun } from '../rollup/dayRollupKit';
import { defaultConfig, makeRecord } from '../rollup/rollupTestKit';

class KeepingSink implements SummarySink {
  readonly name = 'keeping';
  readonly events: SummaryEnvelope[] = [];
  async deliver(events: readonly SummaryEnvelope[]): Promise<DeliveryResult> {
    this.events.push(...events);
    return { delivered: events.length, spooled: 0 };
  }
  async close(): Promise<void> {}
}

/** Three tenants, one day each: three daily summaries among the rest. */
async function handedOver(keepDailies?: boolean) {
  const records = ['acme', 'globex', 'initech'].map((tenant) => makeRecord({ tenant, date: '2024-06-01T12:00:00.000Z' }));
  const run = new StatelessRun().feed([records]);
  const sink = new KeepingSink();
  const handOver = keepDailies === undefined ? new SummaryHandOver([sink]) : new SummaryHandOver([sink], keepDailies);
  await runSummaryPass({ store: run.store, timezone: 'UTC', config: defaultConfig, meta: META, emit: (day) => handOver.add(day) });
  await handOver.finish();
  return { handOver, sink };
}

test('keeps the daily summaries for the per-day table by default', async () => {
  const { handOver, sink } = await handedOver();
  expect(handOver.dailies.map((daily) => daily.tenant)).toEqual(['acme', 'globex', 'initech']);
  expect(sink.events.filter((e) => e.event.summary === 'daily').map((e) => e.event)).toEqual(handOver.dailies);
});

test('keeps none without the table, and hands over the same summaries', async () => {
  const kept = await handedOver(true);
  const { handOver, sink } = await handedOver(false);
  expect(handOver.dailies).toEqual([]);
  // Each tenant-day: daily, one event_type, coverage, active_users and two quota summaries.
  expect([sink.events.length, handOver.handedOver]).toEqual([18, 18]);
  const ids = (events: SummaryEnvelope[]) => events.map((e) => (e.event.summary === 'run' ? '' : e.event.summary_id));
  expect(ids(sink.events)).toEqual(ids(kept.sink.events));
});
