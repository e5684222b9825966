'use strict';
// Where TypeScript's `tsc` is: the package exports only its package.json and API, not `bin/tsc`, so the path is
// taken from the package's folder. Throws (MODULE_NOT_FOUND) when TypeScript is not installed.
const path = require('node:path');

function tscPath(root) {
  return path.join(path.dirname(require.resolve('typescript/package.json', { paths: [root] })), 'bin', 'tsc');
}

module.exports = { tscPath };
