'use strict';
// Paired, interleaved runs of two builds of the job on the same input, for comparing a change on a shared machine:
//
//   node scripts/bench/pairedRuns.js PAIRS INPUT A B [run flags…]
//
// A and B are folders each holding a build's dist/ and config/ (and a node_modules, or a link to one). Each pair
// runs both, alternating which goes first; every run has each thread's CPU time (threadCpu.js) and GNU time's
// figures. Printed: each pair, the median B/A ratio of wall time, main-thread CPU, decode-worker CPU, process CPU and
// peak RSS, and whether both builds wrote the same summaries (the run event aside). Under load, absolute figures
// drift by tens of percent between runs; ratios within a pair drift less, and main / workers within one run less still.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const [pairs, input, a, b, ...flags] = process.argv.slice(2);
if (!b) {
  console.error('usage: node scripts/bench/pairedRuns.js PAIRS INPUT A B [run flags…]');
  process.exit(2);
}
const PRELOAD = path.join(__dirname, 'threadCpu.js');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'paired-runs-'));

function run(root, tag, i) {
  const cpuDir = fs.mkdtempSync(path.join(scratch, 'cpu-'));
  const output = path.join(scratch, `${tag}-${i}.ndjson`);
  const started = process.hrtime.bigint();
  const args = ['-f', '%U %S %M', process.execPath, '-r', PRELOAD, path.join(root, 'dist', 'cli.js'), 'run', '--input', input, '--output', output, '--no-table', '--log-level', 'warn', ...flags];
  const result = spawnSync('/usr/bin/time', args, { env: { ...process.env, BENCH_THREAD_CPU_DIR: cpuDir }, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${root}: ${result.stderr}`);
  const [user, system, maxKb] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
  let main = 0;
  let workers = 0;
  for (const file of fs.readdirSync(cpuDir)) {
    const { thread, cpuMs } = JSON.parse(fs.readFileSync(path.join(cpuDir, file), 'utf8'));
    if (thread === 'main') main = cpuMs;
    else workers += cpuMs;
  }
  return { wall, main, workers, total: (user + system) * 1000, rss: maxKb / 1024, output };
}

/** The summaries without the fields that differ between any two runs, in a fixed order. */
function summaries(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => {
    const { event, ...envelope } = JSON.parse(line);
    if (event.summary === 'run') return '';
    const { generated_at: _at, run_id: _id, ...rest } = event;
    return JSON.stringify({ ...envelope, event: rest });
  }).sort().join('\n');
}

const fixed = (n, digits = 2) => n.toFixed(digits);
console.log(`load average before: ${os.loadavg().map((n) => fixed(n)).join(', ')}`);
const rows = [];
for (let i = 0; i < Number(pairs); i++) {
  const order = i % 2 === 0 ? [['A', a], ['B', b]] : [['B', b], ['A', a]];
  const got = {};
  for (const [tag, root] of order) got[tag] = run(root, tag, i);
  const same = summaries(got.A.output) === summaries(got.B.output);
  rows.push(got);
  const shown = (r) => `wall ${fixed(r.wall)} s, main ${r.main} ms, workers ${r.workers} ms (main/workers ${fixed(r.main / r.workers, 3)}), process ${fixed(r.total, 0)} ms, rss ${fixed(r.rss, 0)} MB`;
  console.log(`pair ${i + 1}: A ${shown(got.A)}\n        B ${shown(got.B)}\n        B/A main ${fixed(got.B.main / got.A.main, 3)}, same summaries: ${same}`);
  if (!same) process.exitCode = 1;
}
const median = (values) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)];
for (const key of ['wall', 'main', 'workers', 'total', 'rss']) console.log(`median B/A ${key}: ${fixed(median(rows.map((r) => r.B[key] / r.A[key])), 3)}`);
console.log(`load average after: ${os.loadavg().map((n) => fixed(n)).join(', ')}`);
fs.rmSync(scratch, { recursive: true, force: true });
