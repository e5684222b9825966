'use strict';
// Lets the hand-run scripts in scripts/ load TypeScript (from test/support and scripts/) without a build: each .ts
// file is transformed on require as Jest's transform does (scripts/typescriptTransform.js).
//
// The JavaScript is kept in node_modules/.cache/auth0-usage-ts/, under a hash of the transform and the file's path
// and text: the test suite starts such scripts dozens of times, several at once. A changed file, or another
// transform, is another hash.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { TRANSFORM_KEY, transformTypeScript } = require('./typescriptTransform');

const CACHE_DIR = path.resolve(__dirname, '..', 'node_modules', '.cache', 'auth0-usage-ts');

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(`${TRANSFORM_KEY}\0${filename}\0${source}`).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  let outputText;
  try {
    outputText = fs.readFileSync(cached, 'utf8');
  } catch {
    outputText = transformTypeScript(source, filename).code;
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      // Written aside and renamed: another process may be reading the same entry.
      const temporary = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, outputText);
      fs.renameSync(temporary, cached);
    } catch {
      // A read-only checkout still runs, transpiling every time.
    }
  }
  module._compile(outputText, filename);
};
