'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The Dockerfile's runtime stage (after its last FROM). */
function runtimeStage(root) {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  return dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
}

/**
 * The Node flags the image runs the job with (the Dockerfile's NODE_OPTIONS), as a list: every bench runs the job
 * with them, so that its figures are the deployed job's.
 */
function cliNodeFlags(root) {
  const options = (/^ENV NODE_OPTIONS=(.*)$/m.exec(runtimeStage(root)) || [])[1] || '';
  return options.split(/\s+/).filter(Boolean);
}

/**
 * glibc's tuning variables the image sets (ENV MALLOC_…=…), as an environment: the bench runs every command it
 * times with them (the job, and what it is compared with), as the image would.
 */
function imageMallocEnv(root) {
  const env = {};
  for (const [, name, value] of runtimeStage(root).matchAll(/^ENV (MALLOC_[A-Z_]+)=(\S+)$/gm)) env[name] = value;
  return env;
}

module.exports = { cliNodeFlags, imageMallocEnv };
