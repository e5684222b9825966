import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closingLine, runCli, spawnCli } from '../support/cliRunner';
import { RunState } from '../../src/state/runState';
import { configWith, login, silentLogger, writeArchive } from '../unit/state/stateTestKit';

// The command lines of a sharded backfill: what a shard refuses, where its index comes from, that it works beside
// a held lock, that its rerun replaces its partial, and what the merge refuses.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const KILL_AT_STEP = path.join(ROOT, 'test', 'support', 'killAtStep.js');
const KILL_BEFORE_DONE = path.join(ROOT, 'test', 'support', 'killShardBeforeDone.js');
const KILL_BEFORE_RUN_RECORD = path.join(ROOT, 'test', 'support', 'killBeforeRunRecord.js');

let dir: string;
let archives: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-shard-cli-'));
  archives = path.join(dir, 'archives');
  writeArchive(archives, 'a.ndjson', [login(1, '2024-03-01T10:00:00.000Z', 'u1')]);
  writeArchive(archives, 'b.ndjson', [login(2, '2024-03-01T11:00:00.000Z', 'u2')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['run', '--input', archives, '--log-format', 'json', '--no-progress', ...args], env);
const lastLine = (text: string) => text.trim().split('\n').at(-1);
/** The closing line's message (a JSON line: run and merge log JSON when stderr is not a terminal), with its ERR_ code. */
const closingMessage = (text: string) => {
  const line = closingLine(text);
  expect(line).toMatchObject({ level: 'error', code: expect.stringMatching(/^ERR_/) });
  return line.msg;
};

test.each([
  [['--shard', '0/2', '--state', 'S', '--output', 'o.ndjson'], 'a shard delivers nothing: drop --output here and give it to `auth0-usage merge`'],
  [['--shard', '0/2', '--state', 'S', '--hec-url', 'https://127.0.0.1:1'], 'a shard delivers nothing: drop --hec-url here and give it to `auth0-usage merge`'],
  [['--shard', '0/2'], 'a shard writes its partial result under the shared --state: give --state (the same for every shard and the merge)'],
  [['--shard', '2/2', '--state', 'S'], '--shard 2/2: the index runs from 0 to 1'],
  [['--shard', 'one', '--state', 'S'], "--shard must be I/N (e.g. 0/4), got 'one'"],
  [['--shard', '0/2', '--shards', '3', '--state', 'S'], '--shard 0/2 and --shards 3 disagree on the number of shards'],
  [['--shards', '3', '--state', 'S'], '--shards 3 needs this shard\'s index: --shard I/3, or JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX'],
  [['--shards', '0', '--state', 'S'], "--shards must be a whole number from 1 to 999999, got '0'"],
  [['--shards', 'abc', '--state', 'S'], '--shards must be a whole number from 1 to 999999, got something that is not a number'],
  [['--shard', '1/0', '--state', 'S'], "--shard 1/0: N must be a whole number from 1 to 999999, got '0'"],
  [['--shard', '1234567/2000000', '--state', 'S'], "--shard 1234567/2000000: I must be a whole number from 0 to 999999, got '1234567'"],
])('run %j exits 2 with one line', async (args, line) => {
  const result = await run(args as string[]);
  // Every usage error's line ends with the same hint, naming the command's help.
  expect([result.code, closingMessage(result.stderr)]).toEqual([2, `${line} (see auth0-usage run --help)`]);
  expect(existsSync(path.join(dir, 'o.ndjson'))).toBe(false);
});

test('run and merge refuse --state without --output or --hec-url: the objects would be committed with their summaries sent nowhere', async () => {
  const state = path.join(dir, 'sinkless-state');
  const line = '--state without --output or --hec-url: the run would commit objects whose summaries go nowhere, and later runs would skip them; give --output or --hec-url (--output /dev/null to commit them without keeping the summaries)';
  const result = await run(['--state', state]);
  expect([result.code, closingMessage(result.stderr)]).toEqual([2, `${line} (see auth0-usage run --help)`]);
  const merged = await runCli(['merge', '--state', state, '--shards', '2']);
  expect([merged.code, closingMessage(merged.stderr)]).toEqual([2, `${line} (see auth0-usage merge --help)`]);
  // An empty --output (a templated variable left empty, "$OUT" unset) is none.
  const empty = await run(['--state', state, '--output', '']);
  expect([empty.code, closingMessage(empty.stderr)]).toEqual([2, `${line} (see auth0-usage run --help)`]);
  const emptyVariable = await run(['--state', state], { AUTH0_USAGE_OUTPUT: '' });
  expect([emptyVariable.code, closingMessage(emptyVariable.stderr)]).toEqual([2, `${line} (see auth0-usage run --help)`]);
  // Refused before the state was opened: nothing was read or committed.
  expect(existsSync(state)).toBe(false);
  // With a sink, the same run reads and commits both objects.
  const delivered = await run(['--state', state, '--output', path.join(dir, 'sinkless.ndjson')]);
  expect(delivered.code).toBe(0);
  expect(readFileSync(path.join(dir, 'sinkless.ndjson'), 'utf8')).toContain('"summary":"run"');
});

test('a shard refuses Auth0 statistics (the merge would deliver them), without a word of the secret', async () => {
  const result = await run(['--shard', '0/2', '--state', 'S', '--auth0-domain', 'acme.us.auth0.com', '--auth0-client-id', 'client-1'], { AUTH0_USAGE_AUTH0_CLIENT_SECRET: 'very-secret-value' });
  expect([result.code, closingMessage(result.stderr)]).toEqual([2, 'a shard delivers nothing: drop --auth0-domain here and give it to `auth0-usage merge` (see auth0-usage run --help)']);
  expect(result.stderr).not.toContain('very-secret-value');
});

test('AWS_BATCH_JOB_ARRAY_INDEX out of range is a usage error naming the variable', async () => {
  const result = await run(['--shards', '2', '--state', path.join(dir, 'S')], { AWS_BATCH_JOB_ARRAY_INDEX: '2' });
  expect([result.code, closingMessage(result.stderr)]).toEqual([2, 'AWS_BATCH_JOB_ARRAY_INDEX=2 is not a shard of --shards 2 (0 to 1) (see auth0-usage run --help)']);
});

test('a shard takes its index from AWS_BATCH_JOB_ARRAY_INDEX, runs while another run holds the lock, and its rerun replaces its partial', async () => {
  const state = path.join(dir, 'locked-state');
  const held = await RunState.open({ location: state, timezone: 'UTC', config: configWith(), logger: silentLogger });
  try {
    const first = await run(['--shards', '1', '--state', state], { AWS_BATCH_JOB_ARRAY_INDEX: '0' });
    expect(first.code).toBe(0);
    const done = JSON.parse(readFileSync(path.join(state, 'shards/1/0/done.json'), 'utf8'));
    expect([done.shard, done.shards, done.counts.objects, done.counts.records, done.files]).toEqual([0, 1, 2, 2, ['shards/1/0/records-00000.ndjson.gz']]);
    // A leftover of an earlier attempt with more files goes with the rerun.
    writeFileSync(path.join(state, 'shards/1/0/records-00007.ndjson.gz'), '');
    const again = await run(['--shard', '0/1', '--state', state]);
    expect(again.code).toBe(0);
    expect(existsSync(path.join(state, 'shards/1/0/records-00007.ndjson.gz'))).toBe(false);
    expect(existsSync(path.join(state, 'shards/1/0/done.json'))).toBe(true);
  } finally {
    await held.release();
  }
});

test('a shard given --checkpoint-objects (say, through a variable the nightly runs share) says they do not apply', async () => {
  const state = path.join(dir, 'checkpoint-state');
  const result = await run(['--shard', '0/1', '--state', state], { AUTH0_USAGE_CHECKPOINT_OBJECTS: '1' });
  expect(result.code).toBe(0);
  const warnings = result.stderr.trim().split('\n').map((line) => JSON.parse(line)).filter((line) => line.level === 'warn');
  expect(warnings.map((line) => [line.msg, line.flags])).toEqual([
    ['a shard keeps nothing until it finishes: --checkpoint-objects does not apply, and a stopped shard is run again whole', ['--checkpoint-objects']],
  ]);
});

test('merge refuses shards run with another config, and a shard count none ran with', async () => {
  const state = path.join(dir, 'config-state');
  expect((await run(['--shard', '0/1', '--state', state])).code).toBe(0);
  const config = path.join(dir, 'other.json');
  writeFileSync(config, JSON.stringify({ tenant: 'someone-else' }));
  const other = await runCli(['merge', '--state', state, '--shards', '1', '--config', config, '--output', path.join(dir, 'm.ndjson')]);
  expect([other.code, closingMessage(other.stderr)]).toEqual([
    2,
    `cannot merge ${state}: the shards ran with another tenant, categories or nonBillableAudiences config than this --config: give the shards' config`,
  ]);
  const wrongCount = await runCli(['merge', '--state', state, '--shards', '2', '--output', path.join(dir, 'm.ndjson')]);
  expect([wrongCount.code, closingMessage(wrongCount.stderr)]).toEqual([
    1,
    `cannot merge ${state}: no shard of a set of 2 ran here (nothing under shards/2/): run shards 0 to 1 with this --state first, then the merge (shards of a set of 1 finished here: is --shards 1 the count they ran with?)`,
  ]);
  expect(existsSync(path.join(dir, 'm.ndjson'))).toBe(false);
});

test('merge refuses a shard some of whose objects another run committed since, naming one; rerun, it merges', async () => {
  const state = path.join(dir, 'stale-state');
  expect((await run(['--shard', '0/1', '--state', state])).code).toBe(0);
  // A nightly run between the shard and its merge, over one of the shard's two objects.
  const nightly = await runCli(['run', '--input', path.join(archives, 'a.ndjson'), '--state', state, '--output', path.join(dir, 'nightly.ndjson'), '--no-table', '--log-format', 'json', '--no-progress']);
  expect(nightly.code).toBe(0);
  // status, which reads no object lists, says from the times that the merge may refuse.
  const shardDone = JSON.parse(readFileSync(path.join(state, 'shards', '1', '0', 'done.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(path.join(state, 'manifest.json'), 'utf8'));
  const status = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(status.stdout).toContain(
    `a run committed at ${manifest.committedAt}, after shards of 1 finished (the first at ${shardDone.finished_at}): the merge refuses a shard some of whose objects it read (run that shard again) and leaves out one it read all of`,
  );
  const refused = await runCli(['merge', '--state', state, '--shards', '1', '--output', path.join(dir, 'stale.ndjson')]);
  expect([refused.code, closingMessage(refused.stderr)]).toEqual([
    1,
    `cannot merge ${state}: another run committed objects that shard 0 read (e.g. ${path.join(archives, 'a.ndjson')}) after it ran: run it again, then the merge`,
  ]);
  expect(existsSync(path.join(dir, 'stale.ndjson'))).toBe(false);
  expect((await run(['--shard', '0/1', '--state', state])).code).toBe(0);
  const merged = await runCli(['merge', '--state', state, '--shards', '1', '--output', path.join(dir, 'stale.ndjson'), '--no-table']);
  expect(merged.code).toBe(0);
  // The rerun shard skipped what the nightly run had read: b.ndjson and its one login are left to count.
  const events = readFileSync(path.join(dir, 'stale.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).event);
  expect(events.at(-1)).toMatchObject({ summary: 'run', objects: 1, records: 1, merged_shards: 1 });
});

test('a record file damaged since its shard wrote it fails the merge, naming the shard, and commits nothing; rerun that shard, it merges', async () => {
  const state = path.join(dir, 'damaged-state');
  const output = path.join(dir, 'damaged.ndjson');
  for (const shard of ['0/2', '1/2']) expect((await run(['--shard', shard, '--state', state])).code).toBe(0);
  const done = JSON.parse(readFileSync(path.join(state, 'shards', '2', '1', 'done.json'), 'utf8'));
  expect(done.files).toHaveLength(1);
  const file = path.join(state, done.files[0]);
  const whole = readFileSync(file);
  for (const damaged of [whole.subarray(0, whole.length >> 1), Buffer.concat([whole, Buffer.from('{"not":"a record"}\n')])]) {
    writeFileSync(file, damaged);
    const merged = await runCli(['merge', '--state', state, '--shards', '2', '--output', output, '--no-table']);
    const lines = merged.stderr.trim().split('\n').map((line) => JSON.parse(line));
    expect([merged.code, ...lines.slice(-2).map((line) => [line.level, line.code, line.msg])]).toEqual([
      1,
      ['error', 'ERR_INPUT', `cannot read input ${file}: the shard's record file ${done.files[0]} in ${state} is not as shard 1 wrote it (its SHA-256 differs): run shard 1 again, then the merge`],
      ['info', undefined, `nothing of this merge was committed to ${state}: the shards' partials are kept for the next merge`],
    ]);
    // Nothing committed: both shards still wait for their merge.
    const status = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
    expect(status.stdout).toMatch(/^shards\b.*2 of 2 finished/m);
  }
  expect((await run(['--shard', '1/2', '--state', state])).code).toBe(0);
  const merged = await runCli(['merge', '--state', state, '--shards', '2', '--output', output, '--no-table']);
  expect(merged.code).toBe(0);
  const events = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line).event);
  expect(events.at(-1)).toMatchObject({ summary: 'run', objects: 2, records: 2, malformed: 0, merged_shards: 2 });
});

test('a shard every object of which another run committed is not replayed: the merge goes on without it', async () => {
  const state = path.join(dir, 'spent-state');
  expect((await run(['--shard', '0/1', '--state', state])).code).toBe(0);
  expect((await run(['--state', state, '--output', path.join(dir, 'spent-nightly.ndjson'), '--no-table'])).code).toBe(0);
  const merged = await runCli(['merge', '--state', state, '--shards', '1', '--output', path.join(dir, 'spent.ndjson'), '--no-table', '--log-format', 'json']);
  expect(merged.code).toBe(0);
  expect(merged.stderr).toMatch(/"level":"warn".*"shards":\[0\].*every object these shards read is committed already/);
  // Both logins were counted by the nightly run; none again.
  const events = readFileSync(path.join(dir, 'spent.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).event);
  expect(events).toMatchObject([{ summary: 'run', objects: 0, records: 0, merged_shards: 1 }]);
  expect(existsSync(path.join(state, 'shards', '1'))).toBe(false);
});

test('a merge killed after its commit, before it removed the partials: run again, it removes them and counts nothing twice', async () => {
  const state = path.join(dir, 'killed-merge-state');
  const output = path.join(dir, 'killed-merge.ndjson');
  expect((await run(['--shard', '0/1', '--state', state])).code).toBe(0);
  // Steps (test/support/killAtStep.js): 0 the rename onto --output, 1 the commit's start, 2 its end.
  const killed = await spawnCli(CLI, ['merge', '--state', state, '--shards', '1', '--output', output, '--no-table', '--log-format', 'json'], {
    cwd: dir,
    env: { PATH: process.env.PATH, NODE_OPTIONS: `-r ${KILL_AT_STEP}`, KILL_OUTPUT: output, KILL_AT: '2' },
  });
  expect([killed.signal, lastLine(killed.stderr)]).toEqual(['SIGKILL', 'killed before the end of the state commit']);
  expect(existsSync(path.join(state, 'shards', '1', '0', 'done.json'))).toBe(true);
  const first = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line).event);
  // --output was in place before the commit: the summaries, without the run event that follows the commit.
  expect(first.filter((event) => event.summary === 'run')).toEqual([]);
  expect(first.filter((event) => event.summary === 'daily')).toMatchObject([{ day: '2024-03-01', logins: 2 }]);

  const again = await runCli(['merge', '--state', state, '--shards', '1', '--output', output, '--no-table', '--log-format', 'json']);
  expect(again.code).toBe(0);
  expect(readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line).event)).toMatchObject([{ summary: 'run', objects: 0, records: 0 }]);
  expect(existsSync(path.join(state, 'shards', '1'))).toBe(false);
  // The state's figures are the first merge's: the tenant's day holds 2 events, not 4.
  const status = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(status.stdout).not.toMatch(/^shards/m);
  expect(status.stdout).toMatch(/^acme\s+1\s+2024-03-01\s+2024-03-01\s+2\s/m);
});

test('a merge run again after it committed, its removal of the partials cut short or done: exit 0, nothing counted twice', async () => {
  const state = path.join(dir, 'rerun-merge-state');
  const output = path.join(dir, 'rerun-merge.ndjson');
  for (const shard of ['0/2', '1/2']) expect((await run(['--shard', shard, '--state', state])).code).toBe(0);
  const partials = path.join(dir, 'rerun-merge-partials');
  cpSync(path.join(state, 'shards'), partials, { recursive: true });
  const merge = () => runCli(['merge', '--state', state, '--shards', '2', '--output', output, '--no-table', '--log-format', 'json']);
  expect((await merge()).code).toBe(0);
  const firstRun = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line).event).at(-1);
  expect(firstRun).toMatchObject({ summary: 'run', objects: 2, records: 2, merged_shards: 2 });

  // Done: a retried merge job finds nothing to merge, says when the merge was, and leaves --output as it was.
  const outputBefore = readFileSync(output, 'utf8');
  const again = await merge();
  expect([again.code, lastLine(again.stderr) && JSON.parse(lastLine(again.stderr)!).msg]).toEqual([
    0,
    `nothing to merge: the merge of these 2 shards was committed to ${state} at ${firstRun.finished_at}; run the shards again to merge new objects`,
  ]);
  expect(readFileSync(output, 'utf8')).toBe(outputBefore);

  // Cut short: the merge had written its marker and removed shard 0's done.json when it was killed.
  cpSync(partials, path.join(state, 'shards'), { recursive: true });
  rmSync(path.join(state, 'shards', '2', '0', 'done.json'));
  writeFileSync(path.join(state, 'shards', '2', 'merged.json'), `${JSON.stringify({ merged_at: '2026-12-07T01:02:03.000Z' })}\n`);
  // status does not send the operator to run shard 0 again.
  const during = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(during.stdout.split('\n').filter((line) => line.startsWith('shards'))).toEqual([
    'shards     2 merged and committed; what is left of their partials goes with the next `auth0-usage merge --shards 2`',
  ]);
  const cut = await merge();
  expect([cut.code, JSON.parse(lastLine(cut.stderr)!).msg]).toEqual([
    0,
    `nothing to merge: the merge of these 2 shards was committed to ${state} at 2026-12-07T01:02:03.000Z, and what was left of their partials is removed now; run the shards again to merge new objects`,
  ]);
  expect(existsSync(path.join(state, 'shards', '2'))).toBe(false);
  // The state's figures are the first merge's: 2 events on the day, not more.
  const status = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(status.stdout).not.toMatch(/^shards/m);
  expect(status.stdout).toMatch(/^acme\s+1\s+2024-03-01\s+2024-03-01\s+2\s/m);

  // A new backfill of 2 shards ends an earlier merge's marker, and merges as usual.
  mkdirSync(path.join(state, 'shards', '2'), { recursive: true });
  writeFileSync(path.join(state, 'shards', '2', 'merged.json'), '{}\n');
  for (const shard of ['0/2', '1/2']) expect((await run(['--shard', shard, '--state', state])).code).toBe(0);
  expect(existsSync(path.join(state, 'shards', '2', 'merged.json'))).toBe(false);
});

test('a merge killed after its commit and the removal of the partials, before it recorded the run: run again, nothing to merge', async () => {
  const state = path.join(dir, 'merge-killed-before-record-state');
  const output = path.join(dir, 'merge-killed-before-record.ndjson');
  for (const shard of ['0/2', '1/2']) expect((await run(['--shard', shard, '--state', state])).code).toBe(0);
  const mergeArgs = ['merge', '--state', state, '--shards', '2', '--output', output, '--no-table', '--log-format', 'json', '--no-progress'];
  const killed = await spawnCli(CLI, mergeArgs, { cwd: dir, env: { PATH: process.env.PATH, NODE_OPTIONS: `-r ${KILL_BEFORE_RUN_RECORD}` } });
  expect([killed.code, killed.stderr.includes('killed before last-run.json')]).toEqual([null, true]);
  // Committed: the day's two events are in the state, and the partials are gone.
  const committed = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(committed.stdout).toMatch(/^acme\s+1\s+2024-03-01\s+2024-03-01\s+2\s/m);
  expect(existsSync(path.join(state, 'shards', '2', '0', 'done.json'))).toBe(false);

  // The retried merge job: nothing to merge (exit 0), not "no shard ran here" (exit 1, on every retry).
  const again = await runCli(mergeArgs);
  expect([again.code, JSON.parse(lastLine(again.stderr)!).msg]).toEqual([
    0,
    expect.stringMatching(/^nothing to merge: the merge of these 2 shards was committed to .* and what was left of their partials is removed now; run the shards again to merge new objects$/),
  ]);
  expect(existsSync(path.join(state, 'shards', '2'))).toBe(false);
  const status = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(status.stdout).not.toMatch(/^shards/m);
  expect(status.stdout).toMatch(/^acme\s+1\s+2024-03-01\s+2024-03-01\s+2\s/m);
});

test('status after the only shard run so far was killed: a backfill under way, not an empty state at a wrong path', async () => {
  const state = path.join(dir, 'killed-shard-state');
  const killed = await spawnCli(CLI, ['run', '--input', archives, '--state', state, '--shard', '0/2', '--log-format', 'json', '--no-progress'], { cwd: dir, env: { PATH: process.env.PATH, NODE_OPTIONS: `-r ${KILL_BEFORE_DONE}` } });
  expect([killed.code, killed.stderr.includes('killed before done.json')]).toEqual([null, true]);
  const status = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(status.code).toBe(0);
  expect(status.stdout.split('\n').filter((line) => line.startsWith('shards') || line.startsWith('state'))).toEqual([
    `state      ${state}: nothing committed yet`,
    'shards     0 of 2 finished, not merged yet; to run: 0, 1',
  ]);
});

test('status lists the shards that finished and those still to run, until the merge', async () => {
  const state = path.join(dir, 'status-state');
  expect((await run(['--shard', '1/3', '--state', state])).code).toBe(0);
  const status = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(status.code).toBe(0);
  expect(status.stdout.split('\n').filter((line) => line.startsWith('shards'))).toEqual(['shards     1 of 3 finished, not merged yet; to run: 0, 2']);
  expect((await run(['--shard', '0/3', '--state', state])).code).toBe(0);
  expect((await run(['--shard', '2/3', '--state', state])).code).toBe(0);
  const ready = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(ready.stdout.split('\n').filter((line) => line.startsWith('shards') || line.startsWith('state'))).toEqual([
    `state      ${state}: nothing committed yet`,
    `shards     3 of 3 finished, not merged yet: auth0-usage merge --state ${state} --shards 3 --hec-url URL (or --output FILE)`,
  ]);
  expect((await runCli(['merge', '--state', state, '--shards', '3', '--output', path.join(dir, 'status-merged.ndjson'), '--no-table'])).code).toBe(0);
  const merged = await runCli(['status', '--state', state, '--spool', path.join(dir, 'no-spool')]);
  expect(merged.stdout).not.toMatch(/^shards/m);
});

test("the merge's progress knows its total: the shards' record files, by their size on disk", async () => {
  const state = path.join(dir, 'progress-state');
  expect((await run(['--shard', '0/2', '--state', state])).code).toBe(0);
  expect((await run(['--shard', '1/2', '--state', state])).code).toBe(0);
  // What the merge will read, measured on disk beside it: every shard's record files.
  const recordFiles = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? recordFiles(path.join(folder, entry.name)) : entry.name.startsWith('records-') ? [path.join(folder, entry.name)] : [],
    );
  const files = recordFiles(path.join(state, 'shards'));
  expect(files.length).toBe(2); // one object each: one record file each
  const total = files.reduce((sum, file) => sum + statSync(file).size, 0);
  const merged = await runCli(['merge', '--state', state, '--shards', '2', '--output', path.join(dir, 'progress-merged.ndjson'), '--no-table', '--no-progress', '--log-format', 'json']);
  expect(merged.code).toBe(0);
  const done = merged.stderr.trim().split('\n').map((line) => JSON.parse(line)).find((line) => line.msg === 'progress' && line.done === true);
  expect(done).toMatchObject({ listing_done: true, objects_listed: 2, objects_done: 2, bytes_listed: total, bytes_read: total });
});
