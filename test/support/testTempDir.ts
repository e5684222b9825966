import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

// Registered when a test file imports this module (directly or through a kit): the folders its tests made are
// removed after its last test. Left behind, they piled up in the temporary folder by the thousand, and every run
// lists that folder (sweepAbandonedScratchDirs).
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary folder, removed after the test file's last test. */
export function testTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
