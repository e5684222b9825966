'use strict';
// How the tests and the hand-run scripts turn a TypeScript file into CommonJS without a build: Sucrase, which only
// strips the types and turns the imports into require() calls, keeping every line where it was. Type errors are the
// type-check's business (npm test runs tsc beside Jest); dist/, which the decode workers and the built binary run,
// is TypeScript's own output. Used by Jest's transform (test/support/jestTransform.js) and scripts/ts-register.js.
const { transform, getVersion } = require('sucrase');

// ES2022 as tsconfig.json's target: class fields, `?.` and `??` stay as written, as tsc leaves them.
const OPTIONS = { transforms: ['typescript', 'imports'], disableESTransforms: true };

/** What the output depends on besides the file: for cache keys. */
const TRANSFORM_KEY = `sucrase ${getVersion()}\0${JSON.stringify(OPTIONS)}`;

/** The file's JavaScript, with its source map when asked for. */
function transformTypeScript(source, filename, { sourceMap = false } = {}) {
  const output = transform(source, { ...OPTIONS, filePath: filename, ...(sourceMap ? { sourceMapOptions: { compiledFilename: filename } } : {}) });
  return { code: output.code, map: output.sourceMap };
}

module.exports = { TRANSFORM_KEY, transformTypeScript };
