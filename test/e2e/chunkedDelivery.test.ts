import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SummaryEnvelope } from '../../src/rollup/summaryEvent';
import { runJob } from '../../src/run/runJob';
import type { DeliverOptions, DeliveryResult, SummarySink } from '../../src/sinks/summarySink';
import { RunState } from '../../src/state/runState';
import { CollectingSink, configWith, openLocal, silentLogger } from '../unit/state/stateTestKit';
import { HecReceiver } from '../support/hecReceiver';
import { TEST_TOKEN, testSink, ownSpoolFile } from '../support/hecTestKit';

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

function idOf(envelope: { event: object }): string {
  const event = envelope.event as { summary_id?: string; summary?: string };
  return String(event.summary_id ?? event.summary);
}

test('a sink failing on the second chunk: the sink before it still gets every summary, the run fails and is not committed', async () => {
  const reference = new CollectingSink();
  const clean = await run([reference]);
  const total = clean.run.summaries;
  expect(total).toBeGreaterThan(2000);

  // As with --output (first) and HEC (second) whose token is refused from the second chunk on.
  const output = new CollectingSink();
  const failing = new FailingSink();
  const stateDir = path.join(dir, 'state');
  const outcome = await run([output, failing], stateDir);
  expect([outcome.exitCode, outcome.run.status, outcome.run.error, outcome.committed]).toEqual([1, 'failed', 'HEC refused the token', false]);
  // Every summary was built and handed over, the failing sink too got every call, and the run event came last.
  expect(outcome.run.summaries).toBe(total);
  expect(outcome.run.days).toBe(120); // 60 days of 2 tenants, all summarized before the delivery failed
  expect(output.events.length).toBe(total + 1);
  expect(output.events.at(-1)!.event.summary).toBe('run');
  expect(failing.calls).toBe(output.deliveries.length);

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

test('sinks after a failed one get no more summaries: the next run sends them everything anyway', async () => {
  const failing = new FailingSink();
  const later = new CollectingSink();
  const outcome = await run([failing, later]);
  expect(outcome.exitCode).toBe(1);
  // The first chunk reached both; after the failure on the second, the later sink only gets the run event.
  expect(later.deliveries.length).toBe(2);
  expect(later.deliveries[0]!.more).toBe(true);
  expect(later.deliveries[0]!.events).toBeGreaterThanOrEqual(1000);
  expect(later.deliveries[1]).toEqual({ events: 1, more: false });
});

describe('over a real HEC sink', () => {
  let receiver: HecReceiver;
  afterEach(async () => receiver.close());

  test('token refused from the second request on: indexed and spooled make every summary exactly once, in order', async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN });
    receiver.inject({ kind: 'pass' }, 1);
    receiver.injectAlways({ kind: 'status', status: 403, body: JSON.stringify({ text: 'Token disabled', code: 1 }) });
    const output = new CollectingSink();
    const { sink: hec, spoolDir } = testSink(receiver, { batchBytes: 4 << 20 });
    const outcome = await run([output, hec]);
    expect([outcome.exitCode, outcome.run.status]).toEqual([1, 'failed']);
    expect(outcome.run.error).toContain('Token disabled');

    const indexed = receiver.indexed.map((e) => idOf(e.envelope));
    const spooled = readFileSync(ownSpoolFile(spoolDir, 'run-1'), 'utf8').trim().split('\n').map((line) => idOf(JSON.parse(line)));
    // One request got through (the first chunk, one batch); everything after it, the run event last, is spooled.
    expect(receiver.eventRequests()).toHaveLength(2);
    expect(indexed.length).toBe(output.deliveries[0]!.events);
    expect([...indexed, ...spooled]).toEqual(output.events.map(idOf));
    expect(spooled.at(-1)).toBe('run');
  });
});

test('a damaged day file found while building the summaries: exit 2, the days before it delivered, nothing committed', async () => {
  const stateDir = path.join(dir, 'state-damaged');
  const first = await run([new CollectingSink()], stateDir);
  expect(first.committed).toBe(true);
  const manifest = JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8'));
  const tenant = manifest.days[0].tenant as string;
  const damaged = manifest.days.find((d: any) => d.tenant === tenant && d.day === '2024-02-09');
  writeFileSync(path.join(stateDir, damaged.aggregate), '{"cut short');
  // A late login on 2024-02-05 by a user new to the tenant: that day's figures change, and so do the active users
  // (30-day and month) of every later day, whose committed figures the pass reads in turn; 02-09's cannot be read.
  const late = path.join(dir, 'late');
  mkdirSync(late);
  const dayDir = path.join(archives, '2024/02/05');
  const lines = readFileSync(path.join(dayDir, readdirSync(dayDir)[0]!), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const model = lines.find((r) => r.tenant_name === tenant);
  const login = { ...model, type: 's', user_id: 'auth0|late-user', log_id: '90020240205000000000000000000000000000000000000000000001', date: '2024-02-05T12:00:00.000Z' };
  appendFileSync(path.join(late, 'late.ndjson'), `${JSON.stringify(login)}\n`);

  const sink = new CollectingSink();
  const outcome = await run([sink], stateDir, late);
  expect([outcome.exitCode, outcome.committed]).toEqual([2, false]);
  expect(outcome.run.error).toContain(damaged.aggregate);
  const days = [...new Set(sink.events.slice(0, -1).map((e: any) => `${e.event.tenant} ${e.event.day}`))];
  expect(days).toEqual(['2024-02-05', '2024-02-06', '2024-02-07', '2024-02-08'].map((day) => `${tenant} ${day}`));
  expect(JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8')).generation).toBe(manifest.generation);
});
