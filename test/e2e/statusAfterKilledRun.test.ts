/**
 * `auth0-usage status` after a run that failed past a checkpoint and then a run killed past one of its own: the
 * failed run is still the last run recorded, and what it committed at its checkpoint stays committed, whoever
 * committed after it. A status that judged it by the manifest's committer called it "not committed".
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { login, writeArchive } from '../unit/state/stateTestKit';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const KILL_AFTER_COMMIT = path.join(ROOT, 'test', 'support', 'killAfterCommit.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-status-killed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], kill?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...(kill ? { KILL_SIGNAL: kill, KILL_AFTER_COMMIT: '1' } : {}) };
  const child = spawn(process.execPath, [...(kill ? ['-r', KILL_AFTER_COMMIT] : []), CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

test('a run stopped after a checkpoint is still shown as committed up to it once a killed run committed after it', async () => {
  const archives = path.join(dir, 'archives');
  for (let day = 1; day <= 6; day++) writeArchive(archives, `day-${day}.ndjson`, [login(day, `2024-03-0${day}T10:00:00Z`, `u${day}`)]);
  const state = path.join(dir, 'state');
  const run = (output: string, kill?: NodeJS.Signals) =>
    cli(['run', '-i', archives, '--state', state, '-o', path.join(dir, output), '--checkpoint-objects', '1', '--concurrency', '1', '--decode-threads', '0', '--no-table', '--no-progress', '--log-format', 'json'], kill);
  const status = async () => (await cli(['status', '--state', state, '--spool', path.join(dir, 'spool')])).stdout;

  // The first run is stopped by SIGTERM right after its first checkpoint: it commits that, and records its end.
  const stopped = await run('first.ndjson', 'SIGTERM');
  expect(stopped.code).toBe(1);
  const first = await status();
  const stoppedRun = /^last run {3}(\S+) /m.exec(first)![1];
  expect(first).toMatch(/^last run {3}\S+ \S+ → \S+: failed, committed up to its last checkpoint \(generation 1\), the rest not \(stopped by SIGTERM while reading\)$/m);

  // The next run is killed outright right after its own first checkpoint: it commits, and records no end.
  const killed = await run('second.ndjson', 'SIGKILL');
  expect(killed.signal).toBe('SIGKILL');
  const second = await status();
  expect(second).toMatch(/^committed  generation 2 at \S+ by run \S+$/m);
  // The stopped run is still the last run recorded, and its checkpoint is still committed.
  expect(second).toContain(`last run   ${stoppedRun} `);
  expect(second).toMatch(/^last run {3}\S+ \S+ → \S+: failed, committed up to its last checkpoint \(generation 1\), the rest not \(stopped by SIGTERM while reading\)$/m);
  expect(second).toMatch(/^ {11}run \S+, which made that commit, recorded no end: /m);
}, 30_000);
