#!/usr/bin/env node
'use strict';
// `npm start`'s prestart: builds dist/ when it is missing or older than a source file, so `npm ci && npm start`
// works on a fresh checkout. The build is not in `prepare` because production installs (`npm ci --omit=dev`)
// run `prepare` and have no TypeScript; this script leaves a built dist/ alone there.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');
const { tscPath } = require('./tscPath');

const root = path.resolve(__dirname, '..');
const builtEntry = path.join(root, 'dist', 'cli.js');

function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtimeMs(full) : statSync(full).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

// tsc rewrites every output file, so dist/cli.js carries the time of the last build.
function isUpToDate() {
  if (!existsSync(builtEntry)) return false;
  const sources = Math.max(
    newestMtimeMs(path.join(root, 'src')),
    statSync(path.join(root, 'tsconfig.json')).mtimeMs,
    statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
  );
  return statSync(builtEntry).mtimeMs >= sources;
}

if (!isUpToDate()) {
  let tsc;
  try {
    tsc = tscPath(root);
  } catch {
    process.stderr.write('dist/ is missing or older than src/, and TypeScript is not installed: run `npm ci` (with dev dependencies), then `npm run build`\n');
    process.exit(1);
  }
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
