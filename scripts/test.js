#!/usr/bin/env node
'use strict';
// `npm test`: the type-check (`tsc --noEmit`) and Jest side by side, failing if either fails. Side by side because
// Jest leaves part of the machine idle while its tests wait on child processes and sockets, and the type-check
// fills it (TypeScript 7's native type-check takes about 4 s of CPU on a fresh clone). Arguments go to Jest
// (`npm test -- test/e2e`).
const { spawn } = require('node:child_process');
const path = require('node:path');
const { tscPath } = require('./tscPath');

const root = path.resolve(__dirname, '..');

function run(args, options) {
  const child = spawn(process.execPath, args, { cwd: root, ...options });
  const exited = new Promise((resolve) => {
    child.on('error', (err) => resolve({ code: 1, error: err }));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal }));
  });
  return { child, exited };
}

// Incremental: what tsc learned last time (node_modules/.cache) spares it the files that did not change, and it
// reports every file's errors again, not only the changed ones'.
const typecheck = run(
  [tscPath(root), '-p', 'tsconfig.json', '--noEmit', '--incremental', '--tsBuildInfoFile', 'node_modules/.cache/auth0-usage-typecheck.tsbuildinfo'],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let typecheckOutput = '';
typecheck.child.stdout.on('data', (chunk) => (typecheckOutput += chunk));
typecheck.child.stderr.on('data', (chunk) => (typecheckOutput += chunk));

const jest = run([require.resolve('jest/bin/jest'), ...process.argv.slice(2)], { stdio: 'inherit' });

// Ctrl-C reaches both children through the terminal's process group; a SIGTERM sent to this process alone is passed on.
process.on('SIGTERM', () => {
  typecheck.child.kill('SIGTERM');
  jest.child.kill('SIGTERM');
});

Promise.all([typecheck.exited, jest.exited]).then(([types, tests]) => {
  if (types.code === 0) process.stderr.write('Type-check (tsc --noEmit): no errors.\n');
  else process.stderr.write(`Type-check (tsc --noEmit) failed:\n${typecheckOutput || types.error?.message || ''}\n`);
  process.exit(types.code !== 0 ? types.code : tests.code);
});
