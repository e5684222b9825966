import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// These run the built binary in a child process, as cron or a CronJob would.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
}

// Each help text is asked for once and read by several tests.
const helps = new Map<string, ReturnType<typeof cli>>();
function help(args: string[]) {
  const key = args.join(' ');
  if (!helps.has(key)) helps.set(key, cli(args));
  return helps.get(key)!;
}

test('--help lists the commands, and run --help every run flag', () => {
  const top = help(['--help']);
  expect(top.status).toBe(0);
  expect(top.stdout).toMatch(/auth0-usage run\s+Read archives/);
  const run = help(['run', '--help']);
  expect(run.status).toBe(0);
  for (const flag of ['--input', '--timezone', '--from', '--to', '--output', '--quarantine', '--config', '--concurrency']) {
    expect(run.stdout).toContain(flag);
  }
  // Wrapped to 110 columns (no terminal here), a long description going on under its own column.
  for (const text of [top.stdout, run.stdout, help(['merge', '-h']).stdout]) {
    const lines = text.split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(110);
    expect(lines.filter((line) => /^ {20,}\S/.test(line)).length).toBeGreaterThan(0);
  }
});

test("merge --help lists the state's flags but not the checkpoint ones, which a merge (one commit) does not use", () => {
  const merge = help(['merge', '--help']);
  expect(merge.status).toBe(0);
  expect(merge.stdout).toContain('--dedup-days');
  expect(merge.stdout).not.toContain('--checkpoint');
  expect(help(['run', '--help']).stdout).toContain('--checkpoint-objects');
  // --state is a merge's one required flag besides --shards: said in its help.
  expect(merge.stdout.replace(/\s+/g, ' ')).toContain('--state Folder or s3://bucket/prefix of the state the shards wrote their partials under [required]');
});

test('merge --help promises no main-thread decoding of a small input: a merge always starts its default decode threads', () => {
  // A merge reads the shards' record files, whose sizes are not listed: its default threads are always started.
  const flat = (args: string[]) => help(args).stdout.replace(/\s+/g, ' ');
  expect(flat(['run', '--help'])).toContain('none for local input under 8 MiB');
  expect(flat(['merge', '--help'])).toMatch(/--decode-threads [^[]*\[default: one per core\]/);
  expect(flat(['merge', '--help'])).not.toContain('under 8 MiB');
});

test('exit codes reach the process: 0 on success, 2 on a usage error, 1 on an unreadable input', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-bin-'));
  try {
    const output = path.join(dir, 'out.ndjson');
    const ok = cli(['run', '--input', 'fixtures/e2e/archives', '--output', output, '--log-format', 'json']);
    expect(ok.status).toBe(0);
    // UTC: 14 daily, m2m and event_type summaries over 3 tenant-days, 3 coverage, 3 active_users, 6 quota, and the run event.
    expect(readFileSync(output, 'utf8').trim().split('\n')).toHaveLength(27);
    expect(cli(['run', '--input', 'fixtures/e2e/archives', '--timezone', 'Nowhere']).status).toBe(2);
    const missing = cli(['run', '--input', path.join(dir, 'missing.json')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(path.join(dir, 'missing.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run over local files without HEC does not load the AWS SDK or the HEC client', () => {
  // Each takes tens of milliseconds to load; a nightly run over local archives should not pay for them.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-bin-'));
  try {
    const loaded = path.join(dir, 'modules.json');
    const report = path.join(dir, 'report.js');
    writeFileSync(
      report,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(Object.keys(require.cache))));`,
    );
    const run = spawnSync(process.execPath, ['-r', report, CLI, 'run', '--input', 'fixtures/e2e/archives', '--output', path.join(dir, 'out.ndjson')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(run.status).toBe(0);
    const modules: string[] = JSON.parse(readFileSync(loaded, 'utf8'));
    expect(modules.some((m) => m.includes(`${path.sep}dist${path.sep}run${path.sep}runJob.js`))).toBe(true);
    expect(modules.filter((m) => /node_modules[\\/](@aws-sdk|@smithy|splunk-logging)[\\/]/.test(m))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an S3 run on Node < 22 logs no plain-text notice from the AWS SDK among its JSON lines', () => {
  // Port 9 (discard) refuses on loopback: the run fails fast after creating its S3 client.
  const result = cli(['run', '--input', 's3://bucket/prefix/', '--s3-endpoint', 'http://127.0.0.1:9', '--s3-region', 'us-east-1', '--no-table', '--log-format', 'json'], {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
  });
  expect(result.status).toBe(1);
  const lines = result.stderr.trim().split('\n');
  // Every line is JSON, the closing one too: the error with its code.
  for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  const closing = JSON.parse(lines.at(-1)!);
  expect(closing).toMatchObject({ level: 'error', code: 'ERR_INPUT', exit_code: 1 });
  expect(closing.msg).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9 for s3:\/\/bucket\/prefix\/: ECONNREFUSED/);
  expect(result.stderr).not.toContain('NodeVersionSupportWarning');
});

// A scheduled job's environment with one bad variable: asking for help must still show the help, not that error.
test.each([
  [{ AUTH0_USAGE_TABLE: 'maybe' }],
  [{ AUTH0_USAGE_HEC_URL: 'ftp://x' }],
])('run --help with %j in the environment prints the help and exits 0', (env) => {
  const result = cli(['run', '--help'], env);
  expect([result.status, result.stderr]).toEqual([0, '']);
  expect(result.stdout).toMatch(/--input/);
});
