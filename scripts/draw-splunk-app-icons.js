'use strict';
// Writes the Splunk app's icons (static/appIcon*.png) from src/splunkApp/appIcons.ts. The PNGs are committed;
// run this after changing the drawing: node scripts/draw-splunk-app-icons.js [--app-dir config/splunk/auth0_usage]
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
require('./ts-register');
const { APP_ICONS, iconPng } = require('../src/splunkApp/appIcons.ts');

const args = process.argv.slice(2);
if (args.length !== 0 && !(args.length === 2 && args[0] === '--app-dir')) {
  process.stderr.write('usage: draw-splunk-app-icons.js [--app-dir <dir>]\n');
  process.exitCode = 2;
} else {
  const staticDir = join(resolve(args[1] ?? resolve(__dirname, '..', 'config/splunk/auth0_usage')), 'static');
  mkdirSync(staticDir, { recursive: true });
  for (const icon of APP_ICONS) {
    const png = iconPng(icon);
    writeFileSync(join(staticDir, icon.file), png);
    process.stdout.write(`wrote ${icon.file}: ${icon.size}x${icon.size}, ${png.length} bytes\n`);
  }
}
