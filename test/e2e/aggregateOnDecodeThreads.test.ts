import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { closeDecodeWorkers, objectsAggregatedOnThreads } from '../../src/decode/decodeWorkerPool';
import { setAggregateFromObjectBytes } from '../../src/rollup/objectAggregates';
import { readNdjson, runCli } from '../support/cliRunner';
import { testTempDir } from '../support/testTempDir';

// With --aggregate-on-decode-threads each object's figures are added up on its decode thread and the main thread
// only claims log_ids: the summaries must be those of a run that does it all on the main thread.
const GENERATOR = path.resolve(__dirname, '../../scripts/generate-archives.js');
const ON_THREADS = ['--decode-threads', '2', '--aggregate-on-decode-threads'];
const ON_MAIN = ['--decode-threads', '0'];

// Objects under 1 MiB are added up on the main thread even with the flag; these fixtures are smaller: every object
// goes to the threads here, but in the test of that rule.
let aggregateFrom: number;
beforeAll(() => {
  aggregateFrom = setAggregateFromObjectBytes(0);
});
afterAll(async () => {
  setAggregateFromObjectBytes(aggregateFrom);
  await closeDecodeWorkers();
});

/** Summaries without what differs between any two runs (ids, times), sorted; the run event's counters kept. */
function comparable(file: string): string[] {
  return readNdjson(readFileSync(file, 'utf8'))
    .map(({ event, time, ...envelope }) => {
      const { generated_at: _at, run_id: _id, started_at: _s, finished_at: _f, ...rest } = event;
      // The run event's time is when it ran; every other event's is its day's.
      return JSON.stringify({ ...envelope, ...(event.summary === 'run' ? {} : { time }), event: rest });
    })
    .sort();
}

async function summaries(dir: string, input: string[], flags: string[], extra: string[] = []): Promise<{ events: string[]; quarantine: string[] }> {
  const output = path.join(dir, `out-${Math.random().toString(36).slice(2)}.ndjson`);
  const quarantine = `${output}.quarantine`;
  const result = await runCli(['run', ...input.flatMap((i) => ['-i', i]), '-o', output, '--quarantine', quarantine, '--no-table', '--log-level', 'silent', ...flags, ...extra]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return { events: comparable(output), quarantine: readFileSync(quarantine, 'utf8').split('\n').filter(Boolean).sort() };
}

function generate(dir: string, name: string, args: string[]): string {
  const out = path.join(dir, name);
  execFileSync(process.execPath, [GENERATOR, '--out', out, ...args], { stdio: 'ignore' });
  return out;
}

test('the bundled samples and every format fixture give the same summaries and quarantine', async () => {
  const dir = testTempDir('aggregate-threads-');
  for (const input of ['fixtures/samples', 'fixtures/formats']) {
    const expected = await summaries(dir, [input], ON_MAIN);
    expect(expected.events.length).toBeGreaterThan(50);
    const before = objectsAggregatedOnThreads();
    expect(await summaries(dir, [input], ON_THREADS)).toEqual(expected);
    // Every object (8 sample archives, 9 format fixtures) was added up on a thread.
    expect(objectsAggregatedOnThreads() - before).toBe(input === 'fixtures/samples' ? 8 : 9);
  }
});

test('the figures are added up on the decode threads only with the flag', async () => {
  const dir = testTempDir('aggregate-threads-');
  const onThreads = async (flags: string[]) => {
    const before = objectsAggregatedOnThreads();
    await summaries(dir, ['fixtures/samples'], flags);
    return objectsAggregatedOnThreads() - before;
  };
  expect(await onThreads(['--decode-threads', '2'])).toBe(0);
  expect(await onThreads(['--decode-threads', '8'])).toBe(0);
  expect(await onThreads(['--decode-threads', '8', '--no-aggregate-on-decode-threads'])).toBe(0);
  expect(await onThreads(['--decode-threads', '1', '--aggregate-on-decode-threads'])).toBe(8);
  // Decoded on this thread, there is no decode thread to add up on.
  expect(await onThreads(['--decode-threads', '0', '--aggregate-on-decode-threads'])).toBe(0);
});

test('objects under 1 MiB as stored are added up on the main thread, even with the flag', async () => {
  const dir = testTempDir('aggregate-threads-');
  // One object of 1 MiB − 1 byte and one of 1 MiB (blank lines after one record each: cheap to decode).
  const line = (id: string) => `${JSON.stringify({ log_id: id.padStart(56, '9'), date: '2024-01-01T00:00:00.000Z', type: 's', tenant_name: 'acme', user_id: `auth0|${id}` })}\n`;
  const input = path.join(dir, 'in');
  mkdirSync(input);
  writeFileSync(path.join(input, 'small.ndjson'), line('1').padEnd(1024 * 1024 - 1, '\n'));
  writeFileSync(path.join(input, 'large.ndjson'), line('2').padEnd(1024 * 1024, '\n'));
  setAggregateFromObjectBytes(1024 * 1024);
  try {
    const before = objectsAggregatedOnThreads();
    const result = await summaries(dir, [input], ON_THREADS);
    expect(objectsAggregatedOnThreads() - before).toBe(1);
    const daily = JSON.parse(result.events.find((e) => e.includes('"summary":"daily"'))!).event;
    expect([daily.logins, daily.active_users]).toEqual([2, 2]);
  } finally {
    setAggregateFromObjectBytes(0);
  }
});

test('generated archives, each read twice under two names, with duplicates and records without a log_id', async () => {
  const dir = testTempDir('aggregate-threads-');
  const input = generate(dir, 'gen', ['--days', '3', '--records', '3000', '--files-per-day', '2', '--tenants', '3', '--users', '5000', '--machines', '20', '--duplicates', '0.01', '--realistic-text', '--order', 'hour', '--seed', '11']);
  // Every object of day 2 again under another name: each of its records is a duplicate of a record in another object,
  // decoded at the same time on another thread or the same one.
  const again = path.join(input, 'again');
  mkdirSync(again);
  const day2 = path.join(input, '2024', '01', '02');
  for (const [i, name] of readdirSync(day2).sort().entries()) copyFileSync(path.join(day2, name), path.join(again, `${i}.gz`));
  // Records without any id (named by their place in the object), one log_id twice in one object with different
  // content (the first counts), and a record on a day outside --from/--to below.
  const line = (fields: object) => JSON.stringify({ type: 's', tenant_name: 'acme', ...fields });
  writeFileSync(
    path.join(input, 'edge.ndjson.gz'),
    gzipSync(
      [
        line({ date: '2024-01-01T10:00:00.000Z', user_id: 'u1' }),
        line({ date: '2024-01-01T10:00:00.000Z', user_id: 'u1' }),
        line({ date: '2024-01-02T11:00:00.000Z', user_id: 'u2', log_id: '90020240102110000000000000000000000000000000000000000001' }),
        line({ date: '2024-01-02T11:00:00.000Z', type: 'f', user_id: 'u3', log_id: '90020240102110000000000000000000000000000000000000000001' }),
        line({ date: '2024-01-09T11:00:00.000Z', user_id: 'u4', log_id: '90020240109110000000000000000000000000000000000000000002' }),
        '{"not json',
      ].join('\n') + '\n',
    ),
  );
  const expected = await summaries(dir, [input], ON_MAIN);
  const run = JSON.parse(expected.events.find((e) => e.includes('"summary":"run"'))!).event;
  // The copies' records all came twice, and so did the generator's own share.
  expect(run.duplicates).toBeGreaterThan(3000);
  expect(await summaries(dir, [input], ON_THREADS)).toEqual(expected);
  // Within days, in another zone: records cross the day edges differently, and the 9th is out of range.
  const days = ['--from', '2024-01-01', '--to', '2024-01-03', '--timezone', 'America/New_York'];
  const ranged = await summaries(dir, [input], ON_MAIN, days);
  expect(JSON.parse(ranged.events.find((e) => e.includes('"summary":"run"'))!).event.out_of_range).toBeGreaterThan(0);
  expect(await summaries(dir, [input], ON_THREADS, days)).toEqual(ranged);
});

test('two runs over a state, the second over more objects, give the same summaries', async () => {
  const dir = testTempDir('aggregate-threads-');
  const input = generate(dir, 'gen', ['--days', '4', '--records', '2000', '--tenants', '2', '--duplicates', '0.01', '--seed', '12']);
  const firstDays = ['--from', '2024-01-01', '--to', '2024-01-02'];
  const outcomes = [];
  for (const flags of [ON_MAIN, ON_THREADS]) {
    const state = path.join(dir, `state-${flags.length}`);
    const first = await summaries(dir, [input], flags, ['--state', state, ...firstDays]);
    const second = await summaries(dir, [input], flags, ['--state', state]);
    outcomes.push({ first, second });
  }
  expect(outcomes[1]).toEqual(outcomes[0]);
  // The second run read the two later days only: the first two were committed by the first run.
  const run = JSON.parse(outcomes[0]!.second.events.find((e) => e.includes('"summary":"run"'))!).event;
  expect(run.objects).toBe(2);
});

test('a merge of two shards adding up on its decode threads gives the single run’s summaries', async () => {
  const dir = testTempDir('aggregate-threads-');
  const input = generate(dir, 'gen', ['--days', '3', '--records', '2000', '--files-per-day', '3', '--tenants', '2', '--duplicates', '0.02', '--seed', '13']);
  const state = path.join(dir, 'state');
  for (const shard of ['0/2', '1/2']) {
    const result = await runCli(['run', '-i', input, '--state', state, '--shard', shard, '--log-level', 'silent', '--no-progress']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`shard ${shard} stored`);
  }
  const merged = path.join(dir, 'merged.ndjson');
  const before = objectsAggregatedOnThreads();
  const result = await runCli(['merge', '--state', state, '--shards', '2', '-o', merged, '--no-table', '--log-level', 'silent', '--no-progress', '--decode-threads', '2', '--aggregate-on-decode-threads']);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  // Each shard wrote one record file: both were added up on the threads.
  expect(objectsAggregatedOnThreads() - before).toBe(2);
  const single = await summaries(dir, [input], ON_MAIN);
  // The merge's run event says it merged 2 shards; the rest of it and every summary are the single run's.
  const withoutRun = (events: string[]) => events.filter((e) => !e.includes('"summary":"run"'));
  expect(withoutRun(comparable(merged))).toEqual(withoutRun(single.events));
});

test('a thread that cannot load its aggregation fails the object with the reason', async () => {
  // The decode thread loads the aggregation module by path; a build without it (here: a path that does not exist)
  // must not leave the object half counted.
  const { decodeStreamInWorker } = await import('../../src/decode/decodeWorkerPool');
  const { Readable } = await import('node:stream');
  const decoded = decodeStreamInWorker(
    Readable.from([Buffer.from('{"log_id":"1","type":"s","date":"2024-01-01T00:00:00Z"}\n')]),
    { source: 'x', defaultTenant: 'd', aggregation: { module: path.join(testTempDir('aggregate-threads-'), 'missing.js'), settings: {}, minObjectBytes: 0 } },
    { record: () => undefined, claim: () => true, aggregated: () => undefined, quarantine: () => undefined },
  );
  await expect(decoded).rejects.toThrow(/cannot count on this thread: Cannot find module/);
});
