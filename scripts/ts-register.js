'use strict';
// Lets the hand-run scripts in scripts/ load TypeScript (from test/support and scripts/) without a build:
// each .ts file is transpiled on require with the project's own TypeScript compiler.
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  module._compile(outputText, filename);
};
