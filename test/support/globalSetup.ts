import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Builds dist/ once so the tests that spawn the real `auth0-usage` binary, and the decode workers, run the code
 * under test.
 *
 * File by file with `transpileModule`, not a second `tsc` program: `npm test` type-checks the same sources beside
 * the tests (scripts/test.js), and with `isolatedModules` each file's JavaScript does not depend on the others, so
 * this is the JavaScript `tsc -p tsconfig.build.json` writes, without type-checking it again (about a third of the
 * time). The source maps name the sources the way tsc's do, relative to the map.
 */
export default function globalSetup(): void {
  const root = path.resolve(__dirname, '../..');
  const configPath = path.join(root, 'tsconfig.build.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(`${configPath}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    },
  });
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const { rootDir, outDir } = parsed.options;
  if (!rootDir || !outDir) throw new Error(`${configPath} must set rootDir and outDir`);
  // transpileModule emits one file: options about the program's layout do not apply to it.
  const { outDir: _outDir, rootDir: _rootDir, declaration: _declaration, ...compilerOptions } = parsed.options;

  for (const source of parsed.fileNames) {
    if (source.endsWith('.d.ts')) continue;
    const target = path.join(outDir, path.relative(rootDir, source)).replace(/\.ts$/, '.js');
    const output = ts.transpileModule(fs.readFileSync(source, 'utf8'), { compilerOptions, fileName: source, reportDiagnostics: false });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    writeIfChanged(target, output.outputText);
    if (output.sourceMapText) {
      const map = JSON.parse(output.sourceMapText) as { sources: string[] };
      map.sources = [path.relative(path.dirname(target), source).split(path.sep).join('/')];
      writeIfChanged(`${target}.map`, JSON.stringify(map));
    }
  }
}

/**
 * Another test run may be using dist/ (one test file run beside the whole suite): a file is replaced whole, by a
 * rename, and only when its text changes.
 */
function writeIfChanged(file: string, text: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === text) return;
  } catch {
    // not built yet
  }
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}
