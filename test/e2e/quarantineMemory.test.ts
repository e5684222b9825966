import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// A file of junk lines of 64 KiB (the quarantine's cut): with --quarantine, memory must not follow the junk. Compared
// with the same run without --quarantine, so that what decoding itself holds is left out of the figure.
const CLI = path.resolve(__dirname, '../../dist/cli.js');
const LINES = 4000;
const LINE_BYTES = 64 * 1024;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'quarantine-memory-'));
  const fd = openSync(path.join(dir, 'junk.ndjson'), 'w');
  const line = Buffer.from('x'.repeat(LINE_BYTES - 1) + '\n');
  for (let i = 0; i < LINES; i++) writeSync(fd, line);
  closeSync(fd);
  // Writes the process's peak RSS (KiB) to the file named by MAXRSS_FILE as it exits.
  writeFileSync(path.join(dir, 'maxrss.js'), "process.on('exit', () => require('fs').writeFileSync(process.env.MAXRSS_FILE, String(process.resourceUsage().maxRSS)));\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function peakRssBytes(extra: string[]): number {
  const rssFile = path.join(dir, `rss-${extra.length}.txt`);
  const result = spawnSync(process.execPath, ['-r', path.join(dir, 'maxrss.js'), CLI, 'run', '-i', path.join(dir, 'junk.ndjson'), '--no-table', '--log-level', 'error', ...extra], {
    env: { ...process.env, MAXRSS_FILE: rssFile },
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  return Number(readFileSync(rssFile, 'utf8')) * 1024;
}

test('quarantining 4,000 junk lines of 64 KiB holds a small part of them in memory, and writes the first 100', () => {
  const junkBytes = LINES * LINE_BYTES; // 250 MiB
  const without = peakRssBytes([]);
  const quarantineFile = path.join(dir, 'quarantine.ndjson');
  const withQuarantine = peakRssBytes(['--quarantine', quarantineFile]);
  // Holding one object's items until its end cost more than the junk itself; streamed and capped, a few MiB.
  expect(withQuarantine - without).toBeLessThan(junkBytes / 4);
  const lines = readFileSync(quarantineFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(100);
  expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
});
