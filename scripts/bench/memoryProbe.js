'use strict';
// Where a run's memory is, thread by thread, over time (docs/performance.md, "Peak RSS from 1× to 4×").
// Preloaded (`node -r`) into the job and, through execArgv, into each decode worker: with BENCH_MEMORY_DIR set, each
// thread samples its own heap and array buffers every 25 ms (a worker also on every eighth message it posts: its
// timers wait while it decodes) and keeps its timeline in `${BENCH_MEMORY_DIR}/<thread>.json`; the main thread adds
// the process's RSS. Then `node scripts/bench/memoryProbe.js DIR [rows]` prints the main thread's rows with each
// worker's latest sample beside them, and the row of the highest RSS.
//   BENCH_MEMORY_DIR=/tmp/m node -r ./scripts/bench/memoryProbe.js dist/cli.js run --input … --output /dev/null
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const workerThreads = require('node:worker_threads');

const MB = 1024 * 1024;
const COLUMNS = ['heapTotal', 'heapUsed', 'arrayBuffers', 'external', 'old', 'largeObjects', 'young'];

function probe(dir) {
  const thread = workerThreads.isMainThread ? 'main' : `worker-${workerThreads.threadId}`;
  const fd = fs.openSync(path.join(dir, `${thread}.json`), 'w');
  const rows = [];
  const sample = () => {
    const m = process.memoryUsage();
    const space = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s]));
    const row = [Date.now(), m.heapTotal, m.heapUsed, m.arrayBuffers, m.external, space.old_space.space_used_size, space.large_object_space.space_used_size, space.new_space.space_size].map((v, i) => (i === 0 ? v : Math.round(v / MB)));
    // Each thread's arrayBuffers counts the buffers its own allocator made until they are freed, wherever they went.
    if (workerThreads.isMainThread) row.push(Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024));
    rows.push(row);
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, JSON.stringify({ thread, rows }), 0);
  };
  setInterval(sample, 25).unref();
  if (workerThreads.isMainThread) process.on('exit', sample);
  else {
    const port = workerThreads.parentPort;
    const post = port.postMessage.bind(port);
    let posted = 0;
    port.postMessage = (...args) => {
      if ((++posted & 7) === 0) sample();
      return post(...args);
    };
  }
}

function report(dir, wanted) {
  const threads = fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  const main = threads.find((t) => t.thread === 'main').rows;
  const workers = threads.filter((t) => t.thread !== 'main');
  const start = main[0][0];
  console.log(`ms | RSS MB | main: ${COLUMNS.join(' ')} | ${workers.map((w) => `${w.thread}: heapTotal heapUsed arrayBuffers external`).join(' | ')}`);
  const show = (row) => {
    const beside = workers.map((w) => (w.rows.filter((r) => r[0] <= row[0]).pop() ?? [0, 0, 0, 0, 0]).slice(1, 5).join(' '));
    console.log(`${row[0] - start} | ${row[8]} | ${row.slice(1, 8).join(' ')} | ${beside.join(' | ')}`);
  };
  const step = Math.max(1, Math.floor(main.length / wanted));
  for (let i = 0; i < main.length; i += step) show(main[i]);
  console.log('highest RSS:');
  show(main.reduce((top, row) => (row[8] > top[8] ? row : top)));
}

if (require.main === module) report(process.argv[2], Number(process.argv[3]) || 20);
else if (process.env.BENCH_MEMORY_DIR) probe(process.env.BENCH_MEMORY_DIR);
