import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SummaryEnvelope } from '../../src/rollup/summaryEvent';
import { runJob } from '../../src/run/runJob';
import type { DeliverOptions, DeliveryResult, SummarySink } from '../../src/sinks/summarySink';
import { RunState } from '../../src/state/runState';
import { CollectingSink, configWith, openLocal, silentLogger } from '../unit/state/stateTestKit';

// The run hands its summaries to the sinks in chunks as it builds them: what a failing sink does to the others,
// to the run event and to the state, and the last call every sink gets even when there is nothing to send.
const GENERATOR = path.resolve(__dirname, '../../scripts/generate-archives.js');
const config = configWith();
let dir: string;
let archives: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-chunks-'));
  archives = path.join(dir, 'archives');
  // 60 days of two tenants: a few thousand summaries, so several chunks of 1000.
  execFileSync(process.execPath, [GENERATOR, '--out', archives, '--days', '60', '--records', '200', '--seed', '3', '--format', 'ndjson', '--no-gzip'], { stdio: 'ignore' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Fails every call from the second on, as a HEC sink does once its token is refused. */
class FailingSink implements SummarySink {
  readonly name = 'failing';
  calls = 0;
  async deliver(_events: readonly SummaryEnvelope[], _options?: DeliverOptions): Promise<DeliveryResult> {
    if (++this.calls >= 2) throw new Error('HEC refused the token');
    return { delivered: _events.length, spooled: 0 };
  }
  async close(): Promise<void> {}
}

async function run(sinks: SummarySink[], stateDir?: string, input = archives) {
  const state = stateDir ? await RunState.open({ location: stateDir, timezone: 'UTC', config, logger: silentLogger }) : undefined;
  return runJob({ inputs: [input], config, timezone: 'UTC', openSource: openLocal, sinks, concurrency: 1, logger: silentLogger, state });
}

test('a sink failing on the second chunk: the other sink still gets every summary, the run fails and is not committed', async () => {
  const reference = new CollectingSink();
  const clean = await run([reference]);
  const total = clean.run.summaries;
  expect(total).toBeGreaterThan(2000);

  const failing = new FailingSink();
  const other = new CollectingSink();
  const stateDir = path.join(dir, 'state');
  const outcome = await run([failing, other], stateDir);
  expect([outcome.exitCode, outcome.run.status, outcome.run.error, outcome.committed]).toEqual([1, 'failed', 'HEC refused the token', false]);
  // Every summary was built and handed over, to both sinks, and the run event came last.
  expect(outcome.run.summaries).toBe(total);
  expect(other.events.length).toBe(total + 1);
  expect(other.events.at(-1)!.event.summary).toBe('run');
  expect(failing.calls).toBe(other.deliveries.length);

  // Nothing was committed: the next run reads everything again and sends every summary again.
  const retry = new CollectingSink();
  const again = await run([retry], stateDir);
  expect([again.exitCode, again.run.objects, again.run.summaries]).toEqual([0, 60, total]);
});

test('with no summaries at all, each sink still gets one last call before the run event', async () => {
  const empty = path.join(dir, 'empty');
  mkdirSync(empty);
  const sink = new CollectingSink();
  const outcome = await run([sink], undefined, empty);
  expect(outcome.run.summaries).toBe(0);
  expect(sink.deliveries).toEqual([
    { events: 0, more: false },
    { events: 1, more: false },
  ]);
});
