'use strict';
// The compiler options of a tsconfig file for transpiling one file at a time (ts.transpileModule), as Jest's
// transform and the global setup's build of dist/ both do. Plain JavaScript: the transform itself loads it.
const ts = require('typescript');

function transpileOptions(configPath) {
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(`${configPath}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    },
  });
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  // transpileModule emits one file: options about the program's layout do not apply to it.
  const { outDir: _outDir, rootDir: _rootDir, declaration: _declaration, ...compilerOptions } = parsed.options;
  return { parsed, compilerOptions };
}

module.exports = { transpileOptions };
