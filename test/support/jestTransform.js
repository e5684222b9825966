'use strict';
// Jest's transform for the TypeScript sources and tests (scripts/typescriptTransform.js): Sucrase, about ten times
// faster than TypeScript's transpileModule on these files, which mattered on a fresh clone, where every Jest worker
// transforms what it loads. Lines keep their numbers; the source map rides along.
const crypto = require('node:crypto');
const { TRANSFORM_KEY, transformTypeScript } = require('../../scripts/typescriptTransform');

module.exports = {
  getCacheKey(sourceText, sourcePath) {
    return crypto.createHash('sha256').update(`${TRANSFORM_KEY}\0${sourcePath}\0${sourceText}`).digest('hex');
  },
  process(sourceText, sourcePath) {
    return transformTypeScript(sourceText, sourcePath, { sourceMap: true });
  },
};
