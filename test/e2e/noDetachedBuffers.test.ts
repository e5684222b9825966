/**
 * No thread of a run detaches an ArrayBuffer. The first detached buffer (a transfer in postMessage, a grown
 * WebAssembly memory) makes V8 give up, for the rest of that thread's life, its assumption that none is detached:
 * from then on every typed array access is checked, and the decode worker's JSON walk took 10-20% more CPU
 * (docs/performance.md, "The string bitmap"). V8 reports the moment with --trace-protector-invalidation.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { testTempDir } from '../support/testTempDir';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const DETACHING = 'Invalidating protector cell ArrayBufferDetaching';

function lines(from: number, count: number): string {
  const out: string[] = [];
  for (let i = from; i < from + count; i++) {
    out.push(JSON.stringify({ log_id: String(i).padStart(56, '9'), date: '2024-01-01T00:00:00.000Z', type: i % 3 === 0 ? 'seccft' : 's', user_id: `auth0|${i}`, client_id: `c${i % 7}` }));
  }
  return `${out.join('\n')}\n`;
}

test('V8 reports a detached buffer with the flag the run is checked with', () => {
  const result = spawnSync(process.execPath, ['--trace-protector-invalidation', '-e', 'const b = new ArrayBuffer(8); structuredClone(b, { transfer: [b] });'], { encoding: 'utf8' });
  expect(result.stdout).toContain(DETACHING);
});

test('a run over gzip and plain objects, with records, quarantined lines and several batches, detaches none', () => {
  const dir = testTempDir('no-detached-buffers-');
  const input = path.join(dir, 'in');
  mkdirSync(input);
  writeFileSync(path.join(input, 'a.ndjson.gz'), gzipSync(Buffer.from(lines(0, 6000) + 'not json\n' + lines(6000, 3000))));
  writeFileSync(path.join(input, 'b.ndjson'), lines(9000, 5000) + '{"date":"x"}\n');
  // --decode-threads: by default an input this small is decoded on the main thread, and the threads are the point.
  const result = spawnSync(process.execPath, ['--trace-protector-invalidation', CLI, 'run', '--decode-threads', '2', '--input', input, '--output', path.join(dir, 'out.ndjson'), '--quarantine', path.join(dir, 'quarantine.ndjson'), '--no-table', '--log-level', 'error'], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).not.toContain(DETACHING);
  const run = readFileSync(path.join(dir, 'out.ndjson'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line)).find((e) => e.event.summary === 'run');
  expect([run.event.records, run.event.malformed, run.event.rejected]).toEqual([14000, 1, 1]);
});
