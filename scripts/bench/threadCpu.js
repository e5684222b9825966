'use strict';
// Preloaded (`node -r`) into the job and, through execArgv, into each of its worker threads. Each thread keeps its
// own CPU time in the file `${BENCH_THREAD_CPU_DIR}/<threadId>.json`. Node 20 has no process.threadCpuUsage;
// /proc/thread-self/stat is the same figure, read by the thread itself (a synchronous read runs on the calling thread).
// Beside it, from /proc/thread-self/schedstat (where the kernel keeps it), the time the thread was ready to run but
// waited for a core, and (from the thread's start in the same file) how long it had been alive: what is neither is
// time it waited for work.
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
    // The thread's start (field 22, clock ticks after boot) against the time since boot (/proc/uptime): a worker's
    // performance.now() counts from the process's start, not its own.
    const uptimeMs = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
    const figures = { thread, cpuMs, aliveMs: Math.round(uptimeMs - (Number(fields[19]) * 1000) / ticksPerSecond) };
    try {
      // Time on a core, time runnable but waiting for one (ns), time slices.
      figures.coreWaitMs = Math.round(Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6);
    } catch {
      // A kernel without scheduler statistics: the figure is left out.
    }
    fs.writeSync(fd, `${JSON.stringify(figures)}`.padEnd(128), 0);
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
