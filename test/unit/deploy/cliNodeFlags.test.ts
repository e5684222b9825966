import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The installed `auth0-usage` (npm's bin link, the image's /usr/local/bin link) is dist/cli.js run through its first
// line: the main thread's young generation is set there (docs/performance.md, "Peak RSS from 1× to 4×").
const CLI = path.resolve(__dirname, '../../../dist/cli.js');

describe('the CLI as installed', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-flags-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs Node with 4 MB young-generation semi-spaces', () => {
    expect(readFileSync(CLI, 'utf8').split('\n', 1)[0]).toMatch(/^#!\/usr\/bin\/env -S node /);
    const seen = path.join(dir, 'execArgv.json');
    const probe = path.join(dir, 'probe.js');
    writeFileSync(probe, `if (require('node:worker_threads').isMainThread) require('node:fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify(process.execArgv));\n`);
    chmodSync(CLI, 0o755); // as npm and the image's build make it
    const run = spawnSync(CLI, ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${probe}` } });
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(seen, 'utf8'))).toContain('--max-semi-space-size=4');
  });
});
