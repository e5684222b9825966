'use strict';
// The cost model: what one record costs the main thread and one MB costs the decode workers, from each thread's own
// CPU time in one run, and from them the number of cores at which the main thread would be the limit.
//
// With C cores kept busy, the run's CPU per MB (main + workers + other) is spread over C cores, and the main
// thread's share of it over one: input flows at C / total MB per µs until main × that rate reaches one core, that is
// until C = total / main. Past that core count more decode threads cannot help.

/**
 * @param {{ threads: { thread: string, cpuMs: number }[], processCpuMs: number, records: number, megabytes: number, seconds: number,
 *           baseline: { mainMs: number, otherMs: number } }} run  baseline: the same figures for a run of an empty folder
 */
function costModel({ threads, processCpuMs, records, megabytes, seconds, baseline }) {
  const mainMs = Math.max(0, threads.filter((t) => t.thread === 'main').reduce((s, t) => s + t.cpuMs, 0) - baseline.mainMs);
  const workerThreads = threads.filter((t) => t.thread !== 'main');
  const workerMs = workerThreads.reduce((s, t) => s + t.cpuMs, 0);
  // Threads that were not measured on their own (libuv's pool inflating gzip, V8's helper threads): the rest of the
  // process's CPU time. Never below zero: the per-thread and process figures are read at slightly different moments.
  const otherMs = Math.max(0, processCpuMs - baseline.mainMs - baseline.otherMs - mainMs - workerMs);
  const perMb = (ms) => (ms * 1000) / megabytes;
  const totalPerMb = perMb(mainMs + workerMs + otherMs);
  return {
    workers: workerThreads.length,
    seconds,
    mainMs,
    workerMs,
    otherMs,
    mainUsPerRecord: (mainMs * 1000) / records,
    mainUsPerMb: perMb(mainMs),
    workerUsPerMb: perMb(workerMs),
    otherUsPerMb: perMb(otherMs),
    saturationCores: totalPerMb / perMb(mainMs),
    // Where each kind of thread's time went, summed over its threads (null where the kernel keeps no scheduler
    // statistics): on a core, ready but waiting for a core, or waiting for work (input, credit, the main thread).
    // Much waiting for a core means the machine's cores are the limit; much waiting for work, the pipeline.
    main: timeOf(threads.filter((t) => t.thread === 'main')),
    decode: timeOf(workerThreads),
    // Input the main thread alone could take in a second if it did nothing else: the ceiling past saturation.
    ceilingMbPerSecond: 1e6 / perMb(mainMs),
  };
}

/** Alive, on a core, waiting for a core and waiting for work, in ms, summed over `threads`; null without the figures. */
function timeOf(threads) {
  if (threads.length === 0 || threads.some((t) => t.aliveMs === undefined || t.coreWaitMs === undefined)) return null;
  const aliveMs = threads.reduce((s, t) => s + t.aliveMs, 0);
  const cpuMs = threads.reduce((s, t) => s + t.cpuMs, 0);
  const coreWaitMs = threads.reduce((s, t) => s + t.coreWaitMs, 0);
  return { aliveMs, cpuMs, coreWaitMs, workWaitMs: Math.max(0, aliveMs - cpuMs - coreWaitMs) };
}

module.exports = { costModel, timeOf };
