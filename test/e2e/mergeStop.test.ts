import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, runCli, spawnCli } from '../support/cliRunner';
import { kindOf, login, writeArchive } from '../unit/state/stateTestKit';

// A merge is committed whole or not at all: stopped while it reads the shards' record files, it commits nothing and
// keeps the partials, and the same merge run again finishes. Before, the stop took a checkpoint of the record files
// read so far, so part of the shards was committed: with several record files in one shard, its rerun was refused.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const STOP_AFTER_OBJECTS = path.join(ROOT, 'test', 'support', 'stopAfterObjects.js');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-merge-stop-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a merge stopped by SIGTERM after one record file commits nothing; run again, it counts each record once', async () => {
  const archives = path.join(dir, 'archives');
  // Six objects, one login each, by six users, on 2024-03-01 (UTC).
  for (const n of [1, 2, 3, 4, 5, 6]) writeArchive(archives, `obj-${n}.ndjson`, [login(n, `2024-03-01T0${n}:00:00.000Z`, `u${n}`)]);
  const state = path.join(dir, 'state');
  for (const shard of ['0/2', '1/2']) {
    expect((await runCli(['run', '--input', archives, '--state', state, '--shard', shard, '--log-level', 'silent'])).code).toBe(0);
  }
  const doneFiles = () => ['0', '1'].filter((index) => existsSync(path.join(state, 'shards', '2', index, 'done.json')));
  // Both shards read objects, so the merge reads two record files.
  for (const index of ['0', '1']) expect(JSON.parse(readFileSync(path.join(state, 'shards', '2', index, 'done.json'), 'utf8')).counts.objects).toBeGreaterThan(0);

  // One record file at a time: with two in flight, the second could be read to its end before the SIGTERM sent after
  // the first is handled, and a stop that comes once reading is over lets the merge finish (exit 0).
  const merge = (output: string, env: NodeJS.ProcessEnv = {}) =>
    spawnCli(CLI, ['merge', '--state', state, '--shards', '2', '--concurrency', '1', '--output', output, '--no-table', '--no-progress', '--log-format', 'json'], { cwd: dir, env: { PATH: process.env.PATH, ...env } });
  const stopped = await merge(path.join(dir, 'stopped.ndjson'), { NODE_OPTIONS: `-r ${STOP_AFTER_OBJECTS}`, STOP_AFTER_OBJECTS: '1' });
  expect(stopped.code).toBe(1);
  expect(stopped.stderr).toMatch(/SIGTERM/);
  // Nothing committed (the state had no manifest before), no summary delivered (only the failed run's event), the
  // partials kept.
  expect(existsSync(path.join(state, 'manifest.json'))).toBe(false);
  const written = readNdjson(readFileSync(path.join(dir, 'stopped.ndjson'), 'utf8'));
  expect(written.map((e) => [e.event.summary, e.event.status])).toEqual([['run', 'failed']]);
  expect(doneFiles()).toEqual(['0', '1']);

  const again = await merge(path.join(dir, 'merged.ndjson'));
  expect(again.code).toBe(0);
  const events = readNdjson(readFileSync(path.join(dir, 'merged.ndjson'), 'utf8'));
  expect(kindOf(events, 'daily').map((d) => [d.day, d.events, d.active_users])).toEqual([['2024-03-01', 6, 6]]);
  expect([events.at(-1).event.records, events.at(-1).event.duplicates]).toEqual([6, 0]);
  expect(doneFiles()).toEqual([]);
  expect(readdirSync(state)).toContain('manifest.json');
});
