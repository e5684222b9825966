import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
const { tscPath } = require('../../scripts/tscPath.js') as { tscPath(root: string): string };

/**
 * Builds dist/ once so the tests that spawn the real `auth0-usage` binary, and the decode workers, run the code
 * under test.
 *
 * `tsc -p tsconfig.build.json --noCheck`: the JavaScript `npm run build` writes, without type-checking it again
 * (`npm test` type-checks the same sources beside the tests, scripts/test.js). TypeScript's native compiler emits
 * the whole of src/ in about a second of CPU. It writes into node_modules/.cache, and from there only the files
 * whose text changed are replaced in dist/ (see writeIfChanged), with the source maps naming the sources from
 * where they are in dist/, as `npm run build`'s do.
 */
export default function globalSetup(): void {
  const root = path.resolve(__dirname, '../..');
  // The tests start the built CLI, s3rver and scripts dozens of times: from Node 22 on, Node keeps their compiled
  // code here and the next start skips compiling it (about 0.15 s of CPU a CLI process). Node 20 ignores it. The
  // Jest workers and every child that inherits this environment get it.
  process.env.NODE_COMPILE_CACHE ??= path.join(root, 'node_modules', '.cache', 'node-compile-cache');
  // The tests' own S3 clients, in Jest's workers, printed the AWS SDK's eight-line Node 20 notice into the test
  // output. The CLI drops that notice itself: test/e2e/binary.test.ts checks it with a bare environment.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sourceDir = path.join(root, 'src');
  const outDir = path.join(root, 'dist');
  const emitDir = path.join(root, 'node_modules', '.cache', `auth0-usage-emit-${process.pid}`);
  fs.rmSync(emitDir, { recursive: true, force: true });
  try {
    const result = spawnSync(process.execPath, [tscPath(root), '-p', 'tsconfig.build.json', '--noCheck', '--outDir', emitDir], { cwd: root, encoding: 'utf8' });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`tsc -p tsconfig.build.json --noCheck failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
    const current = new Set<string>();
    for (const emitted of filesUnder(emitDir)) {
      const relative = path.relative(emitDir, emitted);
      current.add(relative);
      const target = path.join(outDir, relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (!emitted.endsWith('.js.map')) {
        writeIfChanged(target, fs.readFileSync(emitted, 'utf8'));
        continue;
      }
      const map = JSON.parse(fs.readFileSync(emitted, 'utf8')) as { sources: string[] };
      const source = path.join(sourceDir, relative.replace(/\.js\.map$/, '.ts'));
      map.sources = [path.relative(path.dirname(target), source).split(path.sep).join('/')];
      writeIfChanged(target, JSON.stringify(map));
    }
    // A file whose source is gone would still answer a require() of its old name.
    for (const built of filesUnder(outDir)) {
      if (/\.js(\.map)?$/.test(built) && !current.has(path.relative(outDir, built))) fs.rmSync(built, { force: true });
    }
  } finally {
    fs.rmSync(emitDir, { recursive: true, force: true });
  }
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
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
