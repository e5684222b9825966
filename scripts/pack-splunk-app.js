'use strict';
// Packs the Splunk app folder into an installable .tgz (`npm run splunk-app`):
//   node scripts/pack-splunk-app.js [--out auth0_usage.tgz] [--app-dir config/splunk/auth0_usage]
// Entry mtimes come from SOURCE_DATE_EPOCH when set (reproducible builds), else a fixed date. The packed
// app.conf carries package.json's version (and the [install] build derived from it).
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, relative, resolve } = require('node:path');
require('./ts-register');
const { DEFAULT_PACKAGE_MTIME, packApp } = require('../src/splunkApp/appPackage.ts');

const repoRoot = resolve(__dirname, '..');

function parseArgs(argv) {
  const options = { appDir: resolve(repoRoot, 'config/splunk/auth0_usage'), out: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--out' || flag === '--app-dir') && value !== undefined) {
      if (flag === '--out') options.out = resolve(value);
      else options.appDir = resolve(value);
      i += 1;
    } else {
      throw new Error(`unknown or incomplete argument "${flag}"; usage: pack-splunk-app.js [--out <file.tgz>] [--app-dir <dir>]`);
    }
  }
  return options;
}

function packageMtime() {
  const raw = process.env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return DEFAULT_PACKAGE_MTIME;
  if (!/^\d+$/.test(raw)) throw new Error(`SOURCE_DATE_EPOCH must be whole epoch seconds, got "${raw}"`);
  return Number(raw);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const { version } = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8'));
  const packed = packApp(options.appDir, { version, mtime: packageMtime() });
  const out = options.out ?? resolve(repoRoot, `${packed.appId}.tgz`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, packed.archive);
  for (const skipped of packed.skipped) process.stderr.write(`skipped ${skipped}\n`);
  const shown = relative(process.cwd(), out);
  process.stdout.write(
    `wrote ${shown.startsWith('..') ? out : shown}: ${packed.appId} ${packed.version}, ` +
      `${packed.entries.length} entries, ${packed.archive.length} bytes\n`,
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(`pack-splunk-app: ${error.message}\n`);
  process.exitCode = 1;
}
