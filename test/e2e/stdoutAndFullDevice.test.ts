import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closingLine } from '../support/cliRunner';

// The built CLI (jest's globalSetup builds dist/) in a child process, its stdout a real pipe or device.
const ROOT = path.resolve(__dirname, '../..');
const CLI = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'dist/cli.js'))}`;
const RUN = `${CLI} run -i fixtures/e2e/archives --no-decode-workers --log-format json`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-stdout-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a bash pipeline; prints the CLI's exit status (the pipeline's first command). */
function pipeline(script: string) {
  const result = spawnSync('bash', ['-c', `${script}; echo "status=\${PIPESTATUS[0]}"`], { cwd: ROOT, encoding: 'utf8' });
  const stderr = readFileSync(path.join(dir, 'stderr'), 'utf8');
  return { status: Number(/status=(\d+)/.exec(result.stdout)?.[1]), stdout: result.stdout, stderr };
}

const stderrFile = () => JSON.stringify(path.join(dir, 'stderr'));
const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at |Unhandled|node:events/);

test('-o - into a reader that exits at once (EPIPE): the run ends as usual, exit 0, no stack trace', () => {
  // `true` reads nothing and exits long before the CLI has started: every write meets a closed pipe.
  const { status, stderr } = pipeline(`${RUN} -o - 2>${stderrFile()} | true`);
  noStackTrace(stderr);
  expect(stderr).toContain('"msg":"run finished"');
  expect(status).toBe(0);
});

test('-o - | head -c 100: head gets the first 100 bytes, the run exits 0', () => {
  const { status, stdout, stderr } = pipeline(`${RUN} -o - 2>${stderrFile()} | head -c 100`);
  noStackTrace(stderr);
  expect(status).toBe(0);
  expect(stdout.replace(/status=\d+\n$/, '')).toHaveLength(100);
  expect(stdout.startsWith('{"time":')).toBe(true);
});

test('-o - onto a full device (ENOSPC): exit 1 with one line naming stdout', () => {
  const { status, stderr } = pipeline(`${RUN} -o - 2>${stderrFile()} >/dev/full`);
  noStackTrace(stderr);
  expect(closingLine(stderr)).toMatchObject({ level: 'error', msg: 'cannot write stdout: ENOSPC', code: 'ERR_OUTPUT', exit_code: 1 });
  expect(status).toBe(1);
});

test.each([['--output'], ['--quarantine']])('%s /dev/full (ENOSPC): exit 1, the closing line naming the path', (flag) => {
  const { status, stderr } = pipeline(`${RUN} ${flag} /dev/full 2>${stderrFile()}`);
  noStackTrace(stderr);
  // Every line JSON, the closing one with the error's code.
  for (const line of stderr.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  expect(closingLine(stderr)).toMatchObject({ level: 'error', msg: 'cannot write /dev/full: ENOSPC', code: 'ERR_OUTPUT', exit_code: 1 });
  expect(status).toBe(1);
});

test('--quarantine /dev/full without --state: the run event in --output says failed, as the exit code does', () => {
  // The few items set aside fit in the write buffer: the full device is only known when they are flushed. A run
  // event saying "ok" beside exit 1 would tell Splunk's alerts the night went well.
  const output = path.join(dir, 'summaries.ndjson');
  const { status, stderr } = pipeline(
    `${CLI} run -i fixtures/formats/truncated.ndjson.gz --no-decode-workers --log-format json --quarantine /dev/full --output ${JSON.stringify(output)} 2>${stderrFile()}`,
  );
  noStackTrace(stderr);
  expect(status).toBe(1);
  expect(closingLine(stderr)).toMatchObject({ level: 'error', msg: 'cannot write /dev/full: ENOSPC', code: 'ERR_OUTPUT', exit_code: 1 });
  const lines = readFileSync(output, 'utf8').trim().split('\n');
  const run = JSON.parse(lines[lines.length - 1]!).event;
  expect(run).toMatchObject({ summary: 'run', status: 'failed', error_code: 'ERR_OUTPUT', error: 'cannot write /dev/full: ENOSPC' });
  expect(stderr).not.toContain('"status":"ok"');
});

test('--log-format text: the closing line is the plain one-line error', () => {
  const { status, stderr } = pipeline(`${CLI} run -i fixtures/e2e/archives --no-decode-workers --log-format text --output /dev/full 2>${stderrFile()}`);
  noStackTrace(stderr);
  expect(stderr).toMatch(/\nauth0-usage: cannot write \/dev\/full: ENOSPC\n$/);
  expect(status).toBe(1);
});

test('the summary table onto a full device: a warning naming ENOSPC, the output written, exit 0', () => {
  const output = path.join(dir, 'summaries.ndjson');
  const { status, stderr } = pipeline(`${RUN} --output ${JSON.stringify(output)} 2>${stderrFile()} >/dev/full`);
  noStackTrace(stderr);
  const lines = stderr.trim().split('\n').map((line) => JSON.parse(line) as { level: string; msg: string; err?: string; status?: string });
  expect(lines.find((line) => line.msg === 'run finished')).toMatchObject({ level: 'info', status: 'ok' });
  expect(closingLine(stderr)).toMatchObject({ level: 'warn', err: 'ENOSPC', msg: expect.stringMatching(/^the summary table could not be written to stdout/) });
  expect(readFileSync(output, 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  expect(status).toBe(0);
});

test('the summary table into a reader that exits at once (EPIPE): a warning, exit 0', () => {
  const { status, stderr } = pipeline(`${RUN} --output ${JSON.stringify(path.join(dir, 'out.ndjson'))} 2>${stderrFile()} | true`);
  noStackTrace(stderr);
  expect(closingLine(stderr)).toMatchObject({ level: 'warn', err: 'EPIPE' });
  expect(status).toBe(0);
});

test('status onto a full device: exit 1, one line naming stdout; into a closed pipe: exit 0', () => {
  const spool = JSON.stringify(path.join(dir, 'spool'));
  const full = pipeline(`${CLI} status --spool ${spool} 2>${stderrFile()} >/dev/full`);
  expect(full.stderr).toBe('auth0-usage: cannot write stdout: ENOSPC\n');
  expect(full.status).toBe(1);
  const closed = pipeline(`${CLI} status --spool ${spool} 2>${stderrFile()} | true`);
  expect(closed.stderr).toBe('');
  expect(closed.status).toBe(0);
});

// yargs printed help and the version with console.log, which drops a failed write: `--help > /dev/full` exited 0
// having written nothing.
test.each([['--help'], ['--version'], ['run --help'], ['status -h']])('%s onto a full device: exit 1, one line naming stdout', (args) => {
  const { status, stderr } = pipeline(`${CLI} ${args} 2>${stderrFile()} >/dev/full`);
  expect(stderr).toBe('auth0-usage: cannot write stdout: ENOSPC\n');
  expect(status).toBe(1);
});

test('--help into a reader that takes one line, or none (EPIPE): quiet, exit 0', () => {
  const head = pipeline(`${CLI} --help 2>${stderrFile()} | head -1`);
  expect(head.stdout).toBe('auth0-usage <command> [options]\nstatus=0\n');
  expect(head.stderr).toBe('');
  const closed = pipeline(`${CLI} --help 2>${stderrFile()} | true`);
  expect(closed.stderr).toBe('');
  expect(closed.status).toBe(0);
});
