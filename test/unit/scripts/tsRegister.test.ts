import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// scripts/ts-register.js keeps transpiled files in a cache: what a script runs must still be the file as it is now.
const REGISTER = path.resolve(__dirname, '../../../scripts/ts-register.js');

function load(file: string): string {
  const result = spawnSync(process.execPath, ['-r', REGISTER, '-e', `console.log(require(${JSON.stringify(file)}).answer)`], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

test('a TypeScript file changed since it was cached runs as it is now', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-ts-register-'));
  try {
    const file = path.join(dir, 'answer.ts');
    writeFileSync(file, 'export const answer: number = 41;\n');
    expect(load(file)).toBe('41');
    expect(load(file)).toBe('41'); // from the cache
    writeFileSync(file, 'export const answer: string = `${6 * 7}`;\n');
    expect(load(file)).toBe('42');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
