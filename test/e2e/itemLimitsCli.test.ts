import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDecodeWorkers } from '../../src/decode/decodeWorkerPool';
import { readNdjson, runCli } from '../support/cliRunner';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-limits-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => closeDecodeWorkers());

const record = (n: number, extra = '') =>
  `{"log_id":"${String(n).padStart(56, '9')}","date":"2024-03-09T10:00:00.000Z","type":"s","user_id":"u${n}","tenant_name":"acme"${extra}}`;

// Threads given: by default an input this small is decoded on the main thread.
test.each([['--decode-threads=2'], ['--no-decode-workers']])('--max-item-bytes and --max-item-keys reach the decoder (%s)', async (workers) => {
  const archive = path.join(dir, 'in', 'logs.ndjson');
  const keys = Array.from({ length: 30 }, (_, i) => `,"k${i}":${i}`).join('');
  const lines = [record(1), record(2, `,"note":"${'x'.repeat(3000)}"`), record(3, keys), record(4)];
  mkdirSync(path.dirname(archive));
  writeFileSync(archive, lines.join('\n') + '\n');
  const output = path.join(dir, 'out.ndjson');
  const quarantine = path.join(dir, 'q.ndjson');
  const result = await runCli(['run', '-i', archive, '-o', output, '--quarantine', quarantine, '--no-table', '--log-level', 'silent', workers, '--max-item-bytes', '2048', '--max-item-keys', '20']);
  expect(result.code).toBe(0);
  const run = readNdjson(readFileSync(output, 'utf8')).find((e) => e.event.summary === 'run').event;
  expect([run.records, run.malformed]).toEqual([2, 2]);
  expect(readNdjson(readFileSync(quarantine, 'utf8')).map((q) => [q.line, q.reason])).toEqual([
    [2, 'malformed: too_large: item longer than 2048 bytes'],
    [3, 'malformed: too_many_keys: item with more than 20 keys'],
  ]);
});

test('--max-item-bytes below 1024 is a usage error', async () => {
  const result = await runCli(['run', '-i', dir, '--max-item-bytes', '10']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--max-item-bytes must be a whole number of bytes of at least 1024, got 10');
});
