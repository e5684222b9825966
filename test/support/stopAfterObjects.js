'use strict';
// Preloaded (`node -r`) into the built binary: once STOP_AFTER_OBJECTS objects were read to their end, the process
// sends itself SIGTERM, as an operator or Kubernetes would while it reads. The run's own stop handling does the rest.
const path = require('node:path');

const after = Number(process.env.STOP_AFTER_OBJECTS);
const progress = require(path.resolve(__dirname, '../../dist/run/progress.js'));
const create = progress.createProgressReporter;
progress.createProgressReporter = function (...args) {
  const reporter = create.apply(this, args);
  const objectDone = reporter.objectDone.bind(reporter);
  let done = 0;
  reporter.objectDone = () => {
    objectDone();
    if (++done === after) process.kill(process.pid, 'SIGTERM');
  };
  return reporter;
};
