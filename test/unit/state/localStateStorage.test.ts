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

test('publish() moves many staged files into their folders at once, and a file that cannot be moved fails naming it', async () => {
  const scratch = storage.scratchDir('ab12');
  mkdirSync(scratch, { recursive: true });
  const files = Array.from({ length: 40 }, (_, i) => {
    const localFile = path.join(scratch, `commit-${i}.agg.json`);
    writeFileSync(localFile, `{"n":${i}}`);
    return { localFile, name: `days/tenant${i % 3}/2024-03-${String(1 + Math.floor(i / 3)).padStart(2, '0')}.1-ab12.agg.json` };
  });
  await storage.publish(files);
  expect(readdirSync(scratch)).toEqual([]);
  expect(readdirSync(path.join(dir, 'days')).sort()).toEqual(['tenant0', 'tenant1', 'tenant2']);
  // 40 files over 3 tenants: 14, 13 and 13.
  expect(readdirSync(path.join(dir, 'days', 'tenant0'))).toHaveLength(14);
  expect(readdirSync(path.join(dir, 'days', 'tenant2'))).toHaveLength(13);
  expect(readFileSync(path.join(dir, 'days', 'tenant1', '2024-03-13.1-ab12.agg.json'), 'utf8')).toBe('{"n":37}'); // 37 = 3 × 12 + 1;

  const missing = path.join(scratch, 'commit-gone.agg.json');
  writeFileSync(path.join(scratch, 'commit-here.agg.json'), '{}');
  const failed = await storage
    .publish([
      { localFile: path.join(scratch, 'commit-here.agg.json'), name: 'days/tenant0/2024-04-01.2-ab12.agg.json' },
      { localFile: missing, name: 'days/tenant0/2024-04-02.2-ab12.agg.json' },
    ])
    .catch((error: unknown) => error);
  expect(failed).toBeInstanceOf(StateIoError);
  expect((failed as Error).message).toBe(`cannot move ${missing} to ${path.join(dir, 'days', 'tenant0', '2024-04-02.2-ab12.agg.json')}: ENOENT`);
});
