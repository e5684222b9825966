import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, runCli } from '../support/cliRunner';
import { kindOf, login, writeArchive } from '../unit/state/stateTestKit';

// A --from/--to run records an object that holds records outside its days for those days (the ledger's readFor): the
// same command run again, or one over fewer of those days, skips it. Before, such an object was not recorded, and
// every rerun read it again; its in-range records were then de-duplicated only while their day's log_ids were kept
// (--dedup-days counted back from the newest day), so a backfill longer than --dedup-days counted its first day's
// records again on every rerun (e.g. the rerun after a stopped backfill). Figures worked out by hand (UTC).
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-range-rerun-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One run over `archives` with the `--state` `state` and the flags `args`: its summaries (`name`.ndjson) and run event. */
async function runInto(archives: string, state: string, name: string, args: string[]) {
  const output = path.join(dir, `${name}.ndjson`);
  const result = await runCli(['run', '--input', archives, ...args, '--output', output, '--state', state, '--no-table', '--log-level', 'silent']);
  expect(result.code).toBe(0);
  const events = readNdjson(readFileSync(output, 'utf8'));
  return { events, run: events.at(-1).event };
}

/** Shards 0/2 and 1/2 over `archives` with the `--state` `state` (over `days`, every day by default). */
async function runShards(archives: string, state: string, days: string[] = []) {
  for (const shard of ['0/2', '1/2']) {
    expect((await runCli(['run', '--input', archives, ...days, '--state', state, '--shard', shard, '--log-level', 'silent'])).code).toBe(0);
  }
}

test('the same --from/--to run over unchanged archives adds nothing, even for a day older than --dedup-days', async () => {
  const archives = path.join(dir, 'archives');
  // One object across --from: a record of 2024-01-01 (outside) and two of 2024-01-02 (inside).
  writeArchive(archives, 'a1.ndjson', [login(1, '2024-01-01T23:00:00.000Z', 'u1'), login(2, '2024-01-02T01:00:00.000Z', 'u2'), login(3, '2024-01-02T02:00:00.000Z', 'u3')]);
  // The backfill's last day, 59 days later: --dedup-days 45 keeps log_ids from 2024-01-17 on.
  writeArchive(archives, 'a2.ndjson', [login(4, '2024-03-01T10:00:00.000Z', 'u4')]);
  const run = (name: string, days = ['--from', '2024-01-02', '--to', '2024-03-01']) => runInto(archives, path.join(dir, 'state'), name, days);

  const first = await run('first');
  expect(kindOf(first.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-01-02', 2], ['2024-03-01', 1]]);
  expect([first.run.objects, first.run.records, first.run.out_of_range]).toEqual([2, 4, 1]);

  const again = await run('again');
  // Both objects are skipped: a2 was read for every day, a1 for these days, and nothing of them is counted again.
  expect([again.run.objects, again.run.records, again.run.duplicates, again.run.dedup_unavailable]).toEqual([0, 0, 0, 0]);
  expect(kindOf(again.events, 'daily')).toEqual([]);

  // Fewer of those days: skipped too.
  const narrower = await run('narrower', ['--from', '2024-01-02', '--to', '2024-01-31']);
  expect([narrower.run.objects, narrower.run.records]).toEqual([0, 0]);
});

test('a merge run again after its commit (its partials still there) replays no shard, though one read only a straddling object', async () => {
  const archives = path.join(dir, 'shard-archives');
  writeArchive(archives, 'b1.ndjson', [login(11, '2024-01-01T23:00:00.000Z', 'u1'), login(12, '2024-01-02T01:00:00.000Z', 'u2'), login(13, '2024-01-02T02:00:00.000Z', 'u3')]);
  writeArchive(archives, 'b2.ndjson', [login(14, '2024-03-01T10:00:00.000Z', 'u4')]);
  const state = path.join(dir, 'shard-state');
  await runShards(archives, state, ['--from', '2024-01-02', '--to', '2024-03-01']);
  // A merge stopped after its commit and before it removed the partials: the same partials, merged again.
  cpSync(path.join(state, 'shards'), path.join(dir, 'shards-copy'), { recursive: true });
  const merge = async (name: string) => {
    const output = path.join(dir, `${name}.ndjson`);
    const result = await runCli(['merge', '--state', state, '--shards', '2', '--output', output, '--no-table', '--log-level', 'silent']);
    expect(result.code).toBe(0);
    const events = readNdjson(readFileSync(output, 'utf8'));
    return { events, run: events.at(-1).event };
  };
  const first = await merge('merge-1');
  expect(kindOf(first.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-01-02', 2], ['2024-03-01', 1]]);
  expect([first.run.records, first.run.out_of_range]).toEqual([4, 1]);

  rmSync(path.join(state, 'shards'), { recursive: true, force: true });
  cpSync(path.join(dir, 'shards-copy'), path.join(state, 'shards'), { recursive: true });
  const again = await merge('merge-2');
  expect([again.run.objects, again.run.records, again.run.duplicates, again.run.dedup_unavailable]).toEqual([0, 0, 0, 0]);
  expect(kindOf(again.events, 'daily')).toEqual([]);
});

// A backfill in consecutive --from/--to ranges, then the nightly run over every day. An object across the ranges'
// boundary (Firehose files late records of one day under the next) is read by both ranges; the ledger kept only the
// last range's days, so the nightly run read it again and, its days' log_ids pruned by then (--dedup-days), counted
// all its records a second time. Now the ledger joins the ranges, and a re-read counts only what they left out.
test('ranges one after another, then a run over every day: an object across their boundary is counted once', async () => {
  const archives = path.join(dir, 'ranges-archives');
  // Across the boundary: one record on 2024-01-31 (first range), one on 2024-02-01 (second range).
  writeArchive(archives, 'edge.ndjson', [login(21, '2024-01-31T23:59:00.000Z', 'u1'), login(22, '2024-02-01T00:01:00.000Z', 'u2')]);
  writeArchive(archives, 'jan.ndjson', [login(23, '2024-01-10T10:00:00.000Z', 'u3')]);
  // The newest day, so that --dedup-days 3 prunes the log_ids of January and February.
  writeArchive(archives, 'apr.ndjson', [login(24, '2024-04-30T10:00:00.000Z', 'u4')]);
  const run = (name: string, days: string[]) => runInto(archives, path.join(dir, 'ranges-state'), name, [...days, '--dedup-days', '3']);
  const jan = await run('jan', ['--from', '2024-01-01', '--to', '2024-01-31']);
  expect(kindOf(jan.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-01-10', 1], ['2024-01-31', 1]]);
  const feb = await run('feb', ['--from', '2024-02-01', '--to', '2024-02-29']);
  expect(kindOf(feb.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-02-01', 1]]);
  const rest = await run('rest', ['--from', '2024-03-01']);
  expect(kindOf(rest.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-04-30', 1]]);
  // The nightly run: every object was read for every one of its days; nothing is read or counted again.
  const nightly = await run('nightly', []);
  expect([nightly.run.objects, nightly.run.records, nightly.run.dedup_unavailable]).toEqual([0, 0, 0]);
  expect(kindOf(nightly.events, 'daily')).toEqual([]);
});

test('ranges with a gap between them, then a run over every day: only the gap is counted', async () => {
  const archives = path.join(dir, 'gap-archives');
  // One object holding a record in January, one in the gap (02-15) and one in March.
  writeArchive(archives, 'edge.ndjson', [login(31, '2024-01-31T10:00:00.000Z', 'u1'), login(32, '2024-02-15T10:00:00.000Z', 'u2'), login(33, '2024-03-01T10:00:00.000Z', 'u3')]);
  // The newest day, so that --dedup-days 3 prunes the log_ids of January to March.
  writeArchive(archives, 'apr.ndjson', [login(34, '2024-04-30T10:00:00.000Z', 'u4')]);
  const run = (name: string, days: string[]) => runInto(archives, path.join(dir, 'gap-state'), name, [...days, '--dedup-days', '3']);
  const jan = await run('gap-jan', ['--from', '2024-01-01', '--to', '2024-01-31']);
  expect(kindOf(jan.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-01-31', 1]]);
  const mar = await run('gap-mar', ['--from', '2024-03-01', '--to', '2024-04-30']);
  expect(kindOf(mar.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-03-01', 1], ['2024-04-30', 1]]);
  // The object was counted for January and for March to April: the run over every day counts its 02-15 alone.
  const nightly = await run('gap-nightly', []);
  expect(kindOf(nightly.events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-02-15', 1]]);
  expect([nightly.run.objects, nightly.run.records, nightly.run.duplicates, nightly.run.dedup_unavailable]).toEqual([1, 3, 2, 0]);
  // Read for every day now: nothing is read again.
  const again = await run('gap-again', []);
  expect([again.run.objects, again.run.records]).toEqual([0, 0]);
});

test('shards after ranges with a gap: the merge counts only the gap, and states what the shards left out', async () => {
  const archives = path.join(dir, 'gap-shard-archives');
  writeArchive(archives, 'edge.ndjson', [login(41, '2024-01-31T10:00:00.000Z', 'u1'), login(42, '2024-02-15T10:00:00.000Z', 'u2'), login(43, '2024-03-01T10:00:00.000Z', 'u3')]);
  writeArchive(archives, 'apr.ndjson', [login(44, '2024-04-30T10:00:00.000Z', 'u4')]);
  const state = path.join(dir, 'gap-shard-state');
  for (const days of [['--from', '2024-01-01', '--to', '2024-01-31'], ['--from', '2024-03-01', '--to', '2024-04-30']]) {
    await runInto(archives, state, `gap-shard-${days[1]}`, [...days, '--dedup-days', '3']);
  }
  // The rest as shards over every day: edge.ndjson was counted for January and for March to April (their log_ids
  // pruned by --dedup-days 3), apr.ndjson for every one of its days.
  await runShards(archives, state);
  const output = path.join(dir, 'gap-shard-merge.ndjson');
  expect((await runCli(['merge', '--state', state, '--shards', '2', '--dedup-days', '3', '--output', output, '--no-table', '--log-level', 'silent'])).code).toBe(0);
  const events = readNdjson(readFileSync(output, 'utf8'));
  expect(kindOf(events, 'daily').map((d) => [d.day, d.events])).toEqual([['2024-02-15', 1]]);
  // As a run over every day would state it: 3 records of edge.ndjson read, the 2 counted before as duplicates.
  const run = events.at(-1).event;
  expect([run.objects, run.records, run.duplicates, run.dedup_unavailable]).toEqual([1, 3, 2, 0]);
});
