import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runJob } from '../../../src/run/runJob';
import { QuarantineFile } from '../../../src/sinks/quarantineFile';
import type { InputObject } from '../../../src/sources/inputObject';
import { configWith, silentLogger } from '../state/stateTestKit';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'quarantine-retry-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

class BrokenOnce extends Error {}

/** Seven junk lines; the first read breaks after the fourth line, the second reads them all. */
function flakyObject(): InputObject {
  const lines = Array.from({ length: 7 }, (_, i) => `junk ${i + 1}\n`);
  let opens = 0;
  return {
    name: 'flaky.ndjson',
    async open() {
      opens++;
      if (opens > 1) return Readable.from([lines.join('')]);
      return Readable.from(
        (async function* () {
          yield lines.slice(0, 4).join('');
          throw new BrokenOnce('connection reset');
        })(),
      );
    },
  };
}

async function readFlaky(itemsPerObject?: number) {
  const target = path.join(dir, 'quarantine.ndjson');
  const quarantine = new QuarantineFile(target);
  const object = flakyObject();
  const outcome = await runJob({
    inputs: ['flaky'], config: configWith(), timezone: 'UTC', sinks: [], concurrency: 1, logger: silentLogger,
    openSource: () => ({ input: 'flaky', list: async function* () { yield object; } }),
    isRetryableReadError: (err) => err instanceof BrokenOnce,
    quarantine,
    quarantineItemsPerObject: itemsPerObject,
  });
  await quarantine.close();
  const lines = readFileSync(target, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { line: number; raw: string });
  return { run: outcome.run, lines };
}

test('a re-read object writes each quarantined item once, and counts them once', async () => {
  const { run, lines } = await readFlaky();
  expect(run.malformed).toBe(7);
  expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(lines.map((l) => l.raw)).toEqual(['junk 1', 'junk 2', 'junk 3', 'junk 4', 'junk 5', 'junk 6', 'junk 7']);
  expect(run).not.toHaveProperty('quarantine_truncated');
});

test('past the per-object limit, items are counted and stated as quarantine_truncated, not written', async () => {
  const { run, lines } = await readFlaky(3);
  expect(run.malformed).toBe(7);
  expect(lines.map((l) => l.line)).toEqual([1, 2, 3]);
  expect(run.quarantine_truncated).toBe(4);
});
