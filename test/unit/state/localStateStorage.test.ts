import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalStateStorage } from '../../../src/state/localStateStorage';
import { StateIoError } from '../../../src/state/stateErrors';

let dir: string;
let storage: LocalStateStorage;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-localstate-'));
  storage = new LocalStateStorage(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('create() makes a missing file, and refuses one that exists (another run\'s lock) without touching its bytes', async () => {
  expect(await storage.create('lock.json', Buffer.from('first'))).toBe(true);
  expect(await storage.create('lock.json', Buffer.from('second'))).toBe(false);
  expect(readFileSync(path.join(dir, 'lock.json'), 'utf8')).toBe('first');
  expect(readdirSync(dir)).toEqual(['lock.json']);
});

test('a write that cannot be renamed into place fails naming the file, and leaves no temporary file behind', async () => {
  // The target is a non-empty folder: the temp file is written and synced, then the rename fails.
  mkdirSync(path.join(dir, 'days', 'manifest.json'), { recursive: true });
  writeFileSync(path.join(dir, 'days', 'manifest.json', 'keep'), 'x');
  const target = path.join(dir, 'days', 'manifest.json');
  const failed = await storage.write('days/manifest.json', Buffer.from('{}')).catch((error: unknown) => error);
  expect(failed).toBeInstanceOf(StateIoError);
  expect((failed as Error).message).toBe(`cannot write ${target}: EISDIR`);
  expect(readdirSync(path.join(dir, 'days'))).toEqual(['manifest.json']);
});
