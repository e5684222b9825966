import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured stdout/stderr (fast; the spawned tests cover the real binary). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  // Loaded here, not at the top: the files that only spawn the built CLI do not load the whole pipeline.
  const { main } = await import('../../src/cli/main');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(args, { stdout, stderr, env: process.env });
    return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/**
 * The last line of stderr parsed as JSON: the closing line of a run or merge whose log is JSON (stderr not a
 * terminal, as under runCli), with `msg`, `level` and, for a failure, `code` and `exit_code`. Throws when it is
 * not JSON: the closing line is then plain text, which such a run must not write.
 */
export function closingLine(stderr: string): Record<string, unknown> {
  return JSON.parse(stderr.trim().split('\n').at(-1) ?? '');
}

/**
 * The message of a command that ended with one line on stderr and nothing else: a plain `auth0-usage: …` line
 * (status, hec-check; run and merge on a terminal), or for run and merge under runCli (stderr not a terminal, so
 * their log is JSON) one JSON line whose `code` is an ERR_… code and whose `exit_code` is `exitCode`.
 */
export function oneLineMessage(stderr: string, exitCode = 2): string {
  const lines = stderr.split('\n').filter((line) => line !== '');
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}:\n${stderr}`);
  const line = lines[0]!;
  if (line.startsWith('{')) {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.level !== 'error' || entry.exit_code !== exitCode || !/^ERR_[A-Z0-9_]+$/.test(String(entry.code))) throw new Error(`not an error line with a code and exit code ${exitCode}: ${line}`);
    return String(entry.msg);
  }
  if (!line.startsWith('auth0-usage: ')) throw new Error(`not an auth0-usage line: ${line}`);
  return line.slice('auth0-usage: '.length);
}

export function readNdjson(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

export interface SpawnedCliResult {
  code: number | null;
  /** The signal that ended it (a SIGKILL a test sent or arranged), else null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a built CLI entry in a child process and collects its output; resolves when it exits. */
export function spawnCli(entry: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<SpawnedCliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
