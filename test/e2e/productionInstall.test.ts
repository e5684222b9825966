import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

// Builds what the Dockerfile's runtime stage holds, the same way: the files of `npm pack`, the lockfile, and
// `npm ci --omit=dev`. npm runs offline (`--offline`): every tarball it needs is in the npm cache since the
// `npm ci` that installed this checkout, so the test makes no network request. dist/ was built by globalSetup, so
// `npm pack` skips its prepack build here (--ignore-scripts); the production install runs its scripts as usual.
const ROOT = path.resolve(__dirname, '../..');
const SAMPLES = path.join(ROOT, 'fixtures', 'samples');

function sh(command: string, args: string[], options: SpawnSyncOptions & { cwd: string }) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

interface LogItem {
  log_id: string;
  data: { date: string; tenant_name: string };
}

/**
 * Records, distinct log_ids and tenant-days (UTC) of the samples, read without the job's decoder: Firehose files
 * hold EventBridge events back to back, each starting `{"version":"0",`; the others are a Management API page (a
 * JSON array of log entries) or webhook lines (one `{log_id, data}` object a line).
 */
function readSamples(dir: string): { records: number; distinctLogIds: number; tenantDays: Set<string> } {
  const items: LogItem[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(file);
        continue;
      }
      const raw = readFileSync(file);
      const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').trim();
      if (text.startsWith('{"version":"0",')) {
        for (const event of text.split(/(?=\{"version":"0",)/)) items.push(JSON.parse(event).detail);
      } else if (text.startsWith('[')) {
        for (const log of JSON.parse(text) as Array<LogItem['data'] & { log_id: string }>) items.push({ log_id: log.log_id, data: log });
      } else {
        for (const line of text.split('\n')) items.push(JSON.parse(line));
      }
    }
  };
  walk(dir);
  return {
    records: items.length,
    distinctLogIds: new Set(items.map((item) => item.log_id)).size,
    tenantDays: new Set(items.map((item) => `${item.data.tenant_name}/${item.data.date.slice(0, 10)}`)),
  };
}

test('package.json builds in prepack and before npm start, never in prepare (production installs run prepare)', () => {
  const scripts = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
  expect(scripts.prepare).toBeUndefined();
  expect(scripts.prepack).toBe('npm run build');
  expect(scripts.prestart).toBe('node scripts/build-if-needed.js');
});

test('the packed files with production dependencies only (the runtime image) run --help and a run on the samples', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-pack-'));
  try {
    const pack = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
    expect(pack.stderr).toBe('');
    expect(pack.status).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed!.files.map((f) => f.path);
    // The image holds the build, the shipped config and package.json: no sources, tests or fixtures.
    expect(files.filter((f) => !/^(dist|config)\//.test(f)).sort()).toEqual(['README.md', 'package.json']);
    expect(files).toEqual(expect.arrayContaining(['dist/cli.js', 'config/default.json', 'config/cronjob.yaml']));

    const app = path.join(dir, 'app');
    mkdirSync(app);
    expect(sh('tar', ['-xzf', path.join(dir, packed!.filename), '-C', app, '--strip-components=1'], { cwd: dir }).status).toBe(0);
    copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(app, 'package-lock.json'));
    // No TypeScript anywhere on PATH: nothing in a production install may need it.
    const install = sh('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: app });
    expect(install.stderr).not.toMatch(/npm error/);
    expect(install.status).toBe(0);
    expect(() => require.resolve('typescript', { paths: [app] })).toThrow();
    expect(() => require.resolve('jest', { paths: [app] })).toThrow();

    // As the Dockerfile does: the bin file made executable and linked onto PATH under the command's name.
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    chmodSync(path.join(app, 'dist', 'cli.js'), 0o755);
    symlinkSync(path.join(app, 'dist', 'cli.js'), path.join(bin, 'auth0-usage'));
    const env = { PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}/usr/bin:/bin`, HOME: dir };
    const run = (args: string[]) => sh('auth0-usage', args, { cwd: dir, env });

    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/auth0-usage run\s+Read archives/);
    expect(run(['--version']).stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);

    const output = path.join(dir, 'summaries.ndjson');
    const samples = run(['run', '--input', SAMPLES, '--output', output, '--no-table', '--log-format', 'json']);
    expect(samples.stderr).not.toMatch(/unexpected error/);
    expect(samples.status).toBe(0);
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const runEvent = lines.at(-1).event;
    const expected = readSamples(SAMPLES);
    expect(runEvent).toMatchObject({
      summary: 'run',
      status: 'ok',
      objects: 8,
      records: expected.records,
      duplicates: expected.records - expected.distinctLogIds,
      malformed: 0,
    });
    const dailies = lines.filter((l) => l.event.summary === 'daily').map((l) => `${l.event.tenant}/${l.event.day}`);
    expect(dailies.sort()).toEqual([...expected.tenantDays].sort());
    expect(dailies).toHaveLength(6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // About 15 s on two idle cores (an offline install of 76 packages); room for a loaded CI machine.
}, 120_000);
