'use strict';
// Preloaded (`node -r`) into the built binary: right after the KILL_AFTER_COMMIT-th state commit (counted from 1; a
// checkpoint while objects are left to read) ends, the process sends itself KILL_SIGNAL (SIGTERM: the run stops as
// on a pod's eviction; SIGKILL: as on an OOM kill).
const path = require('node:path');

const after = Number(process.env.KILL_AFTER_COMMIT ?? 1);
const signal = process.env.KILL_SIGNAL ?? 'SIGKILL';
const { RunState } = require(path.resolve(__dirname, '../../dist/state/runState.js'));
const commit = RunState.prototype.commit;
let commits = 0;
RunState.prototype.commit = async function (...args) {
  await commit.apply(this, args);
  if (++commits === after) process.kill(process.pid, signal);
};
