import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Builds dist/ once so the tests that spawn the real `auth0-usage` binary run the code under test. */
export default function globalSetup(): void {
  const root = path.resolve(__dirname, '../..');
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
}
