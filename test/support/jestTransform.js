'use strict';
// Jest's transform for the TypeScript sources and tests: Sucrase, which only strips the types and turns the imports
// into require() calls, keeping every line where it was (a failing test's stack points at the .ts lines even before
// the source map). About ten times faster than TypeScript's transpileModule on these files, which mattered on a
// fresh clone, where every Jest worker transpiles what it loads. Type errors are the type-check's business (npm test
// runs tsc beside Jest); dist/, which the decode workers and the built binary run, is still TypeScript's own output.
const crypto = require('node:crypto');
const { transform, getVersion } = require('sucrase');

// ES2022 as tsconfig.json's target: class fields, `?.` and `??` stay as written, as tsc leaves them.
const OPTIONS = { transforms: ['typescript', 'imports'], disableESTransforms: true };
const OPTIONS_KEY = `${getVersion()}\0${JSON.stringify(OPTIONS)}`;

module.exports = {
  getCacheKey(sourceText, sourcePath) {
    return crypto.createHash('sha256').update(`${OPTIONS_KEY}\0${sourcePath}\0${sourceText}`).digest('hex');
  },
  process(sourceText, sourcePath) {
    const output = transform(sourceText, { ...OPTIONS, filePath: sourcePath, sourceMapOptions: { compiledFilename: sourcePath } });
    return { code: output.code, map: output.sourceMap };
  },
};
