/**
 * --quarantine and the state commit under a real SIGKILL at each step between delivery and the end of a run
 * (test/support/killAtStep.js, counting the renames onto the quarantine file): once the state has taken an object,
 * no later run reads it again, so the items of it that were set aside must already be in --quarantine.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson } from '../support/cliRunner';
import { login, writeArchive } from '../unit/state/stateTestKit';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const KILL_AT_STEP = path.join(ROOT, 'test', 'support', 'killAtStep.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-quarantine-crash-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Where {
  archives: string;
  state: string;
  quarantine: string;
}

function run(where: Where, killAt?: number, stepsFile?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, KILL_OUTPUT: where.quarantine };
  if (killAt !== undefined) env.KILL_AT = String(killAt);
  if (stepsFile !== undefined) env.KILL_STEPS_FILE = stepsFile;
  const args = ['-r', KILL_AT_STEP, CLI, 'run', '-i', where.archives, '--state', where.state, '--output', '/dev/null', '--quarantine', where.quarantine, '--no-table', '--no-progress', '--log-format', 'json'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'ignore'] });
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

function setUp(name: string): Where {
  const where = { archives: path.join(dir, name, 'archives'), state: path.join(dir, name, 'state'), quarantine: path.join(dir, name, 'quarantine.ndjson') };
  const file = writeArchive(where.archives, 'night.ndjson', [login(1, '2024-03-01T10:00:00Z', 'u1'), login(2, '2024-03-01T11:00:00Z', 'u2')]);
  // One object that is not a log record (no date, type or log_id): set aside as rejected, line 3.
  appendFileSync(file, '{"not":"a log record"}\n');
  return where;
}

const linesIn = (file: string) => (existsSync(file) ? readNdjson(readFileSync(file, 'utf8')).map((item) => item.line) : []);

test('a kill at any step after reading never leaves the state committed and the set-aside item nowhere', async () => {
  const reference = setUp('reference');
  const stepsFile = path.join(dir, 'steps');
  expect((await run(reference, undefined, stepsFile)).code).toBe(0);
  // The uninterrupted run: the one bad item, on line 3 of the archive.
  expect(linesIn(reference.quarantine)).toEqual([3]);
  const steps = Number(readFileSync(stepsFile, 'utf8'));
  // At least: the commit's start and end and the quarantine's move into place.
  expect(steps).toBeGreaterThanOrEqual(3);

  for (let killAt = 0; killAt < steps; killAt++) {
    const where = setUp(`kill-${killAt}`);
    const killed = await run(where, killAt);
    expect([killAt, killed.signal]).toEqual([killAt, 'SIGKILL']);
    const committed = existsSync(path.join(where.state, 'manifest.json'));
    if (committed) {
      // No later run reads the archive again: the quarantine must already hold its item.
      expect({ killAt, committed, lines: linesIn(where.quarantine) }).toEqual({ killAt, committed, lines: [3] });
    } else {
      const rerun = await run(where);
      expect([killAt, rerun.code]).toEqual([killAt, 0]);
      expect(linesIn(where.quarantine)).toEqual([3]);
    }
  }
});

test('a shard killed at any step: once its done.json is written, its set-aside item is in --quarantine', async () => {
  const shardRun = (where: Where, killAt?: number, stepsFile?: string) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, KILL_OUTPUT: where.quarantine };
    if (killAt !== undefined) env.KILL_AT = String(killAt);
    if (stepsFile !== undefined) env.KILL_STEPS_FILE = stepsFile;
    const args = ['-r', KILL_AT_STEP, CLI, 'run', '--shard', '0/1', '-i', where.archives, '--state', where.state, '--quarantine', where.quarantine, '--no-table', '--no-progress', '--log-format', 'json'];
    return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'ignore'] });
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
  };
  const reference = setUp('shard-reference');
  const stepsFile = path.join(dir, 'shard-steps');
  expect((await shardRun(reference, undefined, stepsFile)).code).toBe(0);
  expect(linesIn(reference.quarantine)).toEqual([3]);
  const steps = Number(readFileSync(stepsFile, 'utf8'));
  expect(steps).toBeGreaterThanOrEqual(1);

  for (let killAt = 0; killAt < steps; killAt++) {
    const where = setUp(`shard-kill-${killAt}`);
    const killed = await shardRun(where, killAt);
    expect([killAt, killed.signal]).toEqual([killAt, 'SIGKILL']);
    // A finished shard is what the merge takes (and then the objects are never read again): its item must be in place.
    const done = existsSync(path.join(where.state, 'shards', '1', '0', 'done.json'));
    if (done) expect({ killAt, done, lines: linesIn(where.quarantine) }).toEqual({ killAt, done, lines: [3] });
  }
});
