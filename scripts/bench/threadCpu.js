'use strict';
// Preloaded (`node -r`) into the job and, through execArgv, into each of its worker threads. Each thread keeps its
// own CPU time in the file `${BENCH_THREAD_CPU_DIR}/<threadId>.json`. Node 20 has no process.threadCpuUsage;
// /proc/thread-self/stat is the same figure, read by the thread itself (a synchronous read runs on the calling thread).
// A decode worker is terminated, not ended, so it never sees 'exit': it rewrites its figure on every message it
// posts instead (its last message, the end of its last object, comes after the last of its work).
const fs = require('node:fs');
const path = require('node:path');
const workerThreads = require('node:worker_threads');

const dir = process.env.BENCH_THREAD_CPU_DIR;
if (dir) {
  const ticksPerSecond = Number(require('node:child_process').execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const thread = workerThreads.isMainThread ? 'main' : `worker-${workerThreads.threadId}`;
  const fd = fs.openSync(path.join(dir, `${thread}.json`), 'w');
  const record = () => {
    // After the parenthesized command name: utime and stime are fields 14 and 15 (proc(5)), in clock ticks.
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
    fs.writeSync(fd, `${JSON.stringify({ thread, cpuMs })}`.padEnd(64), 0);
  };
  record(); // a thread that never posts still leaves its start-up figure
  if (workerThreads.isMainThread) process.on('exit', record);
  else {
    const port = workerThreads.parentPort;
    const post = port.postMessage.bind(port);
    port.postMessage = (...args) => {
      record();
      return post(...args);
    };
  }
}
