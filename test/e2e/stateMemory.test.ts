import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runJob } from '../../src/run/runJob';
import { RunState } from '../../src/state/runState';
import { CollectingSink, configWith, kindOf, openLocal, silentLogger, snapshot } from '../unit/state/stateTestKit';

// A backfill's memory follows the days being read, not its length: the day cache evicts the days reading has
// left behind, and holds at most --resident-days working sets in any case. Counted in resident day entries, not RSS.
const GENERATOR = path.resolve(__dirname, '../../scripts/generate-archives.js');
const config = configWith();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-state-memory-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Seeded archives (one plain NDJSON file per UTC day, two tenants) and the generator's own tallies; made once per
 * length, since the runs only read them.
 */
const generated = new Map<number, { out: string; truth: any }>();
function generate(days: number) {
  const known = generated.get(days);
  if (known) return known;
  const out = path.join(dir, `archives-${days}`);
  const truthFile = path.join(dir, `truth-${days}.json`);
  execFileSync(process.execPath, [GENERATOR, '--out', out, '--days', String(days), '--records', '200', '--seed', '1', '--format', 'ndjson', '--no-gzip', '--truth', truthFile], { stdio: 'ignore' });
  const archives = { out, truth: JSON.parse(readFileSync(truthFile, 'utf8')) };
  generated.set(days, archives);
  return archives;
}

async function backfill(input: string | string[], stateDir: string, residentDays?: number) {
  const sink = new CollectingSink();
  const state = await RunState.open({ location: stateDir, timezone: 'UTC', config, logger: silentLogger });
  const outcome = await runJob({ inputs: typeof input === 'string' ? [input] : input, config, timezone: 'UTC', openSource: openLocal, sinks: [sink], concurrency: 1, logger: silentLogger, state, residentDays });
  expect(outcome.exitCode).toBe(0);
  return { outcome, events: sink.events, sink };
}

test('90 days need no more resident days than 30, and the figures equal the generator’s tallies', async () => {
  const long = generate(90);
  // The first 30 of the 90 days: one folder a day.
  const firstThirty = Array.from({ length: 30 }, (_, i) => path.join(long.out, '2024', '01', String(i + 1).padStart(2, '0')));
  const thirty = await backfill(firstThirty, path.join(dir, 'state-30'), 4);
  const ninety = await backfill(long.out, path.join(dir, 'state-90'), 4);

  // Each day's file holds both tenants: 60 and 180 tenant-days pass through a cache of 4. Every day is
  // loaded once and evicted once the cache is full; none is read back.
  expect(thirty.outcome.memory).toEqual({ peakResidentDays: 4, evictions: 56, reloads: 0, peakWindowDays: 30 });
  expect(ninety.outcome.memory).toEqual({ peakResidentDays: 4, evictions: 176, reloads: 0, peakWindowDays: 30 });

  // With the default cap of 32, each tenant keeps its newest day and the two before it: 2 × 3 resident days.
  const ninetyDefault = await backfill(long.out, path.join(dir, 'state-90-default'));
  expect(ninetyDefault.outcome.memory).toEqual({ peakResidentDays: 6, evictions: 174, reloads: 0, peakWindowDays: 30 });
  const figures = (events: typeof ninety.events) => kindOf(events, 'daily').map((d) => [d.tenant, d.day, d.events, d.active_users, d.m2m_tokens_billable]);
  expect(figures(ninetyDefault.events)).toEqual(figures(ninety.events));

  // The summaries reach the sink a chunk at a time as they are built: 1000 (SUMMARY_CHUNK) or a little more,
  // since a tenant-day's summaries stay together, with `more` set; then what is left, without it; then the run
  // event alone. They come tenant by tenant, day by day, each day's in kind order.
  const calls = ninety.sink.deliveries;
  expect(calls.at(-1)).toEqual({ events: 1, more: false });
  const chunks = calls.slice(0, -2);
  const last = calls.at(-2)!;
  expect(chunks.length).toBeGreaterThan(2);
  expect(chunks.every((c) => c.more && c.events >= 1000 && c.events < 1100)).toBe(true);
  expect(last.more === false && last.events < 1000).toBe(true);
  expect([...chunks, last].reduce((sum, c) => sum + c.events, 0)).toBe(ninety.outcome.run.summaries);
  const KIND_ORDER = ['daily', 'm2m', 'event_type', 'coverage', 'active_users', 'quota'];
  const keys = ninety.events.slice(0, -1).map((e: any) => [e.event.tenant, e.event.day, KIND_ORDER.indexOf(e.event.summary)] as [string, string, number]);
  expect(keys.every(([, , kind]) => kind >= 0)).toBe(true);
  const before = (a: [string, string, number], b: [string, string, number]) => a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] <= b[2])));
  const inOrder = keys.every((key, i) => i === 0 || before(keys[i - 1]!, key));
  expect(inOrder).toBe(true);

  const daily = kindOf(ninety.events, 'daily');
  expect(daily.map((d) => [d.tenant, d.day])).toEqual(long.truth.days.map((t: any) => [t.tenant, t.day]));
  for (const [i, t] of long.truth.days.entries()) {
    expect([t.tenant, t.day, daily[i].events, daily[i].active_users, daily[i].m2m_tokens_billable]).toEqual([t.tenant, t.day, t.events, t.users, t.m2mBillable]);
  }
  const run = ninety.outcome.run;
  expect([run.records, run.duplicates, run.days]).toEqual([long.truth.written, long.truth.written - long.truth.unique, 180]);
});

test('log_ids older than --dedup-days are pruned; a late repeat of such a day is counted and reported', async () => {
  const { out, truth } = generate(90);
  const stateDir = path.join(dir, 'state-late');
  await backfill(out, stateDir, 4);
  // --dedup-days 45 counted back from the newest day, 2024-03-30: kept from 2024-02-15 (15 February days + 30 March days).
  const manifest = JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8'));
  const kept = manifest.days.filter((d: any) => d.logIds !== null);
  expect(kept).toHaveLength(90);
  expect(Math.min(...kept.map((d: any) => Date.parse(d.day)))).toBe(Date.parse('2024-02-15'));
  // Only those days' log_id files were written at all.
  expect(Object.keys(snapshot(stateDir)).filter((name) => name.endsWith('.ids'))).toHaveLength(90);

  // Auth0 delivers two records again: one of 2024-01-05 (log_ids pruned) and one of 2024-03-20 (kept). This test
  // comes last: the object it adds to the 90 days is not in the tallies the test above compares with.
  const firstLine = (day: string) => readFileSync(path.join(out, day.replace(/-/g, '/'), `auth0-logs-1-${day}-000`), 'utf8').split('\n')[0]!;
  const old = firstLine('2024-01-05');
  writeFileSync(path.join(out, 'redelivered.ndjson'), `${old}\n${firstLine('2024-03-20')}\n`);
  const late = await backfill(out, stateDir, 4);
  const run = late.outcome.run;
  expect([run.objects, run.records, run.duplicates, run.dedup_unavailable]).toEqual([1, 2, 1, 1]);
  const tenant = JSON.parse(old).tenant_name;
  const before = truth.days.find((t: any) => t.tenant === tenant && t.day === '2024-01-05');
  expect(kindOf(late.events, 'daily').map((d) => [d.tenant, d.day, d.events])).toEqual([[tenant, '2024-01-05', before.events + 1]]);
});
