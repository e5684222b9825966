'use strict';
// Lets the hand-run scripts in scripts/ load TypeScript (from test/support and scripts/) without a build:
// each .ts file is transpiled on require with the project's own TypeScript compiler.
//
// The JavaScript is kept in node_modules/.cache/auth0-usage-ts/, under a hash of the compiler's version and the
// file's path and text: loading TypeScript itself takes most of a short script's start (0.3-0.4 s), and the test
// suite starts such scripts dozens of times. A changed file, or another TypeScript, is another hash.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const CACHE_DIR = path.resolve(__dirname, '..', 'node_modules', '.cache', 'auth0-usage-ts');
const TYPESCRIPT_VERSION = require('typescript/package.json').version;

let ts;
function transpile(source, filename) {
  ts ??= require('typescript');
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  }).outputText;
}

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(`${TYPESCRIPT_VERSION}\0${filename}\0${source}`).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  let outputText;
  try {
    outputText = fs.readFileSync(cached, 'utf8');
  } catch {
    outputText = transpile(source, filename);
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
