/**
 * The order of --output and the state commit under a real SIGKILL at each step between delivery and the end of a
 * run (test/support/killAtStep.js): whenever the state has moved on, --output holds that run's summaries.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson } from '../support/cliRunner';
import { API, comparable, login, token, writeArchive } from '../unit/state/stateTestKit';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const KILL_AT_STEP = path.join(ROOT, 'test', 'support', 'killAtStep.js');

const NIGHT1 = [login(1, '2024-03-01T10:00:00Z', 'u1'), login(2, '2024-03-01T11:00:00Z', 'u2'), token(3, '2024-03-02T12:00:00Z', 'c1', API)];
const NIGHT2 = [login(4, '2024-03-02T09:00:00Z', 'u3'), login(5, '2024-03-03T09:30:00Z', 'u1'), token(6, '2024-03-03T10:00:00Z', 'c1', API)];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-output-crash-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** One run of the built binary over `archives`, with the kill preload when `killAt` is given. */
function run(where: { archives: string; state: string; output: string }, killAt?: number, stepsFile?: string): Promise<Exit> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, KILL_OUTPUT: where.output };
  if (killAt !== undefined) env.KILL_AT = String(killAt);
  if (stepsFile !== undefined) env.KILL_STEPS_FILE = stepsFile;
  const args = ['-r', KILL_AT_STEP, CLI, 'run', '-i', where.archives, '--state', where.state, '-o', where.output, '--no-table', '--no-progress', '--log-format', 'json'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

const summariesIn = (file: string) =>
  readNdjson(readFileSync(file, 'utf8'))
    .filter((e) => e.event.summary !== 'run')
    .map(comparable)
    .sort((a: any, b: any) => (a.event.summary_id < b.event.summary_id ? -1 : 1));
const manifestOf = (state: string) => readFileSync(path.join(state, 'manifest.json'), 'utf8');

test('a kill at any step after delivery never leaves the state committed and --output without the run', async () => {
  // Night 1, committed and written, is where every attempt at night 2 starts from.
  const base = { archives: path.join(dir, 'base', 'archives'), state: path.join(dir, 'base', 'state'), output: path.join(dir, 'base', 'out', 'summaries.ndjson') };
  writeArchive(base.archives, 'night1.ndjson', NIGHT1);
  expect((await run(base)).code).toBe(0);
  const night1Manifest = manifestOf(base.state);
  const night1Summaries = summariesIn(base.output);
  expect(night1Summaries.length).toBeGreaterThan(0);

  // Night 2 uninterrupted, from a copy: what --output must hold once the state has taken night 2.
  const reference = path.join(dir, 'reference');
  cpSync(path.join(dir, 'base'), reference, { recursive: true });
  const ref = { archives: path.join(reference, 'archives'), state: path.join(reference, 'state'), output: path.join(reference, 'out', 'summaries.ndjson') };
  writeArchive(ref.archives, 'night2.ndjson', NIGHT2);
  const stepsFile = path.join(dir, 'steps');
  expect((await run(ref, undefined, stepsFile)).code).toBe(0);
  const night2Summaries = summariesIn(ref.output);
  // Night 2's records change days 2024-03-02 and 2024-03-03: its summaries are not night 1's.
  expect(night2Summaries.map((e: any) => e.event.day)).toContain('2024-03-03');
  expect(night2Summaries).not.toEqual(night1Summaries);
  // At least: the commit's start and end and the output's move into place.
  const steps = Number(readFileSync(stepsFile, 'utf8'));
  expect(steps).toBeGreaterThanOrEqual(3);

  for (let killAt = 0; killAt < steps; killAt++) {
    const attempt = path.join(dir, `kill-${killAt}`);
    cpSync(path.join(dir, 'base'), attempt, { recursive: true });
    const where = { archives: path.join(attempt, 'archives'), state: path.join(attempt, 'state'), output: path.join(attempt, 'out', 'summaries.ndjson') };
    writeArchive(where.archives, 'night2.ndjson', NIGHT2);
    const killed = await run(where, killAt);
    expect([killAt, killed.signal]).toEqual([killAt, 'SIGKILL']);

    const committed = manifestOf(where.state) !== night1Manifest;
    const output = summariesIn(where.output);
    if (committed) {
      // The state has moved on: the output must hold night 2, since no rerun will build it again.
      expect({ killAt, committed, output }).toEqual({ killAt, committed, output: night2Summaries });
    } else {
      // Not committed: the output holds either night (whole), and the rerun builds night 2 again.
      expect([night1Summaries, night2Summaries]).toContainEqual(output);
      const rerun = await run(where);
      expect([killAt, rerun.code]).toEqual([killAt, 0]);
      expect(summariesIn(where.output)).toEqual(night2Summaries);
    }
    expect(existsSync(where.output)).toBe(true);
  }
});
