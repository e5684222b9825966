#!/usr/bin/env node
'use strict';
// Prints the last bench run (bench-data/results.json, or the hostile set's) as Markdown tables, for
// docs/performance.md: `node scripts/bench/resultsMarkdown.js [bench-data/results.json | bench-data/hostile/results.json]`.
const fs = require('node:fs');
const path = require('node:path');

const file = process.argv[2] ?? path.join(__dirname, '..', '..', 'bench-data', 'results.json');
const results = JSON.parse(fs.readFileSync(file, 'utf8'));

function table(rows) {
  if (!rows.length) return '';
  const columns = Object.keys(rows[0]);
  const numeric = (c) => rows.every((r) => r[c] === '' || r[c] === undefined || /^[>\d.,\s-]+$/.test(String(r[c])));
  const lines = [`| ${columns.join(' | ')} |`, `| ${columns.map((c) => (numeric(c) ? '---:' : '---')).join(' | ')} |`];
  for (const r of rows) lines.push(`| ${columns.map((c) => String(r[c] ?? '').replace(/\|/g, '\\|')).join(' | ')} |`);
  return lines.join('\n');
}

if (results.sets) {
  for (const set of results.sets) {
    console.log(`### ${set.set}\n`);
    for (const note of set.notes) console.log(`- ${note}`);
    console.log(`\n${table(set.rows)}\n`);
    for (const [what, value] of Object.entries(set.ratios)) console.log(`- ${what}: ${typeof value === 'number' ? value.toFixed(2) : value}`);
    console.log('');
    const models = Object.entries(set.models ?? {});
    if (models.length) {
      console.log(
        table(
          models.map(([label, m]) => ({
            run: `${set.set}, ${label}`,
            'decode workers': m.workers,
            'wall s': m.seconds.toFixed(2),
            'main ms': m.mainMs.toFixed(0),
            'main µs/record': m.mainUsPerRecord.toFixed(2),
            'main µs/MB': m.mainUsPerMb.toFixed(0),
            'workers µs/MB': m.workerUsPerMb.toFixed(0),
            'other µs/MB': m.otherUsPerMb.toFixed(0),
            'saturates at cores': m.saturationCores.toFixed(2),
            'main-thread ceiling MB/s': m.ceilingMbPerSecond.toFixed(0),
            'decode: waiting for a core / for work ms': m.decode ? `${m.decode.coreWaitMs.toFixed(0)} / ${m.decode.workWaitMs.toFixed(0)}` : '',
          })),
        ),
      );
      console.log('');
    }
  }
} else console.log(table(results.rows));
