'use strict';
// Jest's transform for the TypeScript sources and tests: TypeScript's own transpileModule, one file at a time, with
// tsconfig.json's options. Type errors are the type-check's business (npm test runs it beside Jest), and under
// `isolatedModules` a file's JavaScript does not depend on the others. The source map rides along, so a failing
// test's stack points at the .ts lines.
const crypto = require('node:crypto');
const path = require('node:path');
const ts = require('typescript');

const { transpileOptions } = require('./transpileOptions');

const { compilerOptions } = transpileOptions(path.resolve(__dirname, '..', '..', 'tsconfig.json'));
const OPTIONS = { ...compilerOptions, sourceMap: true, inlineSourceMap: false, inlineSources: true };
const OPTIONS_KEY = `${ts.version}\0${JSON.stringify(OPTIONS)}`;

module.exports = {
  getCacheKey(sourceText, sourcePath) {
    return crypto.createHash('sha256').update(`${OPTIONS_KEY}\0${sourcePath}\0${sourceText}`).digest('hex');
  },
  process(sourceText, sourcePath) {
    const output = ts.transpileModule(sourceText, { compilerOptions: OPTIONS, fileName: sourcePath, reportDiagnostics: false });
    const code = output.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, '');
    return { code, map: output.sourceMapText };
  },
};
