'use strict';
// Preloaded (`node -r`) into the built binary by tests that kill a run at each step between delivery and the end.
// The steps are the moments an output or the state changes: every rename onto KILL_OUTPUT, and the start and end
// of the state commit. The process SIGKILLs itself just before step KILL_AT (counted from 0): nothing of the run's
// own cleanup happens, as with a kill from outside. Without KILL_AT it only counts, and writes the count to
// KILL_STEPS_FILE on exit.
const fs = require('node:fs');
const path = require('node:path');

const killAt = process.env.KILL_AT === undefined ? Infinity : Number(process.env.KILL_AT);
const output = path.resolve(process.env.KILL_OUTPUT);
let step = 0;

function reach(what) {
  if (step++ === killAt) {
    fs.writeSync(2, `killed before ${what}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}

const renameSync = fs.renameSync;
fs.renameSync = function (from, to) {
  if (path.resolve(String(to)) === output) reach(`renaming ${from} onto the output`);
  return renameSync.apply(this, arguments);
};

const { RunState } = require(path.resolve(__dirname, '../../dist/state/runState.js'));
const commit = RunState.prototype.commit;
RunState.prototype.commit = async function (...args) {
  reach('the state commit');
  await commit.apply(this, args);
  reach('the end of the state commit');
};

if (process.env.KILL_STEPS_FILE) process.on('exit', () => fs.writeFileSync(process.env.KILL_STEPS_FILE, String(step)));
