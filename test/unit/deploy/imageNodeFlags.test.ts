import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The image runs the job with 4 MB young-generation semi-spaces (docs/performance.md, "Peak RSS from 1× to 4×"),
// set by NODE_OPTIONS in its runtime stage; dist/cli.js's first line stays `#!/usr/bin/env node`, which every env
// runs (BusyBox's has no -S for flags there).
const { imageMallocEnv } = require('../../../scripts/bench/cliNodeFlags.js') as { imageMallocEnv(root: string): Record<string, string> };
const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function runtimeStage(): string {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  return dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
}

test('the runtime stage sets the flag in NODE_OPTIONS, and the CLI\'s first line needs no env -S', () => {
  expect(runtimeStage().match(/^ENV NODE_OPTIONS=.*$/gm)).toEqual(['ENV NODE_OPTIONS=--max-semi-space-size=4']);
  expect(readFileSync(CLI, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
});

test('the runtime stage pads glibc\'s malloc heaps by their whole size, and the bench times every command with it', () => {
  // 64 MiB: the size of a thread's malloc heap on 64-bit glibc (twice its largest mmap threshold, 32 MiB), so a freed
  // gunzip buffer's pages are never handed back; any smaller pad trims them, and fixes the mmap threshold at 128 KiB.
  expect(runtimeStage().match(/^ENV MALLOC_[A-Z_]+=.*$/gm)).toEqual([`ENV MALLOC_TOP_PAD_=${64 * 1024 * 1024}`]);
  expect(imageMallocEnv(ROOT)).toEqual({ MALLOC_TOP_PAD_: '67108864' });
});

test('Node takes that NODE_OPTIONS (some V8 flags are refused there), and the CLI runs under it', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-node-options-'));
  try {
    // The young generation's size after enough short-lived objects to grow it to its limit: two semi-spaces, 8 MB
    // with the flag against 32 MB or more with V8's default (Node 20 to 24).
    const seen = path.join(dir, 'new-space.json');
    const probe = path.join(dir, 'probe.js');
    writeFileSync(
      probe,
      `process.on('exit', () => {
        let keep = [];
        for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 20000) keep = []; }
        const newSpace = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
        require('node:fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify(newSpace));
      });\n`,
    );
    const nodeOptions = /^ENV NODE_OPTIONS=(.*)$/m.exec(runtimeStage())![1]!;
    const run = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8', env: { PATH: process.env.PATH, NODE_OPTIONS: `${nodeOptions} --require ${probe}` } });
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(JSON.parse(readFileSync(seen, 'utf8')).space_size).toBe(2 * 4 * 1024 * 1024);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
