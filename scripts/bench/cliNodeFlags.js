'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * The Node flags the image runs the job with (the Dockerfile's NODE_OPTIONS), as a list: every bench runs the job
 * with them, so that its figures are the deployed job's.
 */
function cliNodeFlags(root) {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const options = (/^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile) || [])[1] || '';
  return options.split(/\s+/).filter(Boolean);
}

module.exports = { cliNodeFlags };
