import { createHash } from 'node:crypto';
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
 * time). The source maps name the sources the way tsc's do, relative to the map. A file whose source, compiler and
 * options are those of the last build (node_modules/.cache/auth0-usage-dist.json) is not transpiled again.
 */
export default function globalSetup(): void {
  const root = path.resolve(__dirname, '../..');
  // The tests start the built CLI, s3rver and scripts dozens of times: from Node 22 on, Node keeps their compiled
  // code here and the next start skips compiling it (about 0.15 s of CPU a CLI process). Node 20 ignores it. The
  // Jest workers and every child that inherits this environment get it.
  process.env.NODE_COMPILE_CACHE ??= path.join(root, 'node_modules', '.cache', 'node-compile-cache');
  const configPath = path.join(root, 'tsconfig.build.json');
  const { parsed, compilerOptions } = transpileOptions(configPath);
  const { rootDir, outDir } = parsed.options;
  if (!rootDir || !outDir) throw new Error(`${configPath} must set rootDir and outDir`);

  const builtPath = path.join(root, 'node_modules', '.cache', 'auth0-usage-dist.json');
  const built = readBuilt(builtPath);
  const options = `${ts.version}\0${JSON.stringify(compilerOptions)}`;
  const nowBuilt: Record<string, string> = {};
  for (const source of parsed.fileNames) {
    if (source.endsWith('.d.ts')) continue;
    const target = path.join(outDir, path.relative(rootDir, source)).replace(/\.ts$/, '.js');
    const text = fs.readFileSync(source, 'utf8');
    const hash = createHash('sha256').update(`${options}\0${source}\0${text}`).digest('hex');
    nowBuilt[target] = hash;
    if (built[target] === hash && fs.existsSync(target)) continue;
    const output = ts.transpileModule(text, { compilerOptions, fileName: source, reportDiagnostics: false });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    writeIfChanged(target, output.outputText);
    if (output.sourceMapText) {
      const map = JSON.parse(output.sourceMapText) as { sources: string[] };
      map.sources = [path.relative(path.dirname(target), source).split(path.sep).join('/')];
      writeIfChanged(`${target}.map`, JSON.stringify(map));
    }
  }
  fs.mkdirSync(path.dirname(builtPath), { recursive: true });
  writeIfChanged(builtPath, JSON.stringify(nowBuilt));
}

/** What the last build wrote: each dist file and the hash of what it was made from. */
function readBuilt(file: string): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
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

/** The compiler options of a tsconfig file for transpiling one file at a time (ts.transpileModule). */
function transpileOptions(configPath: string): { parsed: ts.ParsedCommandLine; compilerOptions: ts.CompilerOptions } {
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
