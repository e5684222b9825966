import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpillFile } from '../../../src/rollup/spillFile';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-spill-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (text: string) => Buffer.from(text);

test('keeps each working set at a region: in place while it fits, moved to the end with twice its size once it does not', () => {
  const file = path.join(dir, 'part-1', 'evicted-days');
  const spill = new SpillFile(file);
  const a = spill.write([bytes('aaaa'), bytes('AAAAAA')]); // 10 bytes, written once: no room kept
  const b = spill.write([bytes('b'.repeat(20))]);
  expect(a).toEqual({ at: 0, length: 10, capacity: 10 });
  expect(b).toEqual({ at: 10, length: 20, capacity: 20 });

  const a2 = spill.write([bytes('xxxxxxxx')], a); // 8 bytes fit in a's 10
  expect(a2).toEqual({ at: 0, length: 8, capacity: 10 });
  const a3 = spill.write([bytes('y'.repeat(15))], a2); // 15 do not: at the end, with room for 30
  expect(a3).toEqual({ at: 30, length: 15, capacity: 30 });
  const a4 = spill.write([bytes('z'.repeat(12)), bytes('ZZZZZZZZZZZZ')], a3); // 24 fit in 30
  expect(a4).toEqual({ at: 30, length: 24, capacity: 30 });
  expect(spill.size).toBe(60);

  expect(spill.read(a4).toString()).toBe(`${'z'.repeat(12)}${'Z'.repeat(12)}`);
  expect(spill.read(b).toString()).toBe('b'.repeat(20));
  spill.close();
  // One file: b's bytes where they were written, a's latest at 30 (bytes 54 to 60 are room never written).
  expect(readFileSync(file).subarray(10, 30).toString()).toBe('b'.repeat(20));
  expect(statSync(file).size).toBe(54);
});

test('refuses to be used once closed rather than open the file afresh (which would empty it)', () => {
  const spill = new SpillFile(path.join(dir, 'evicted-days'));
  const region = spill.write([bytes('kept')]);
  spill.close();
  spill.close(); // twice is fine
  expect(() => spill.read(region)).toThrow(`the scratch file ${path.join(dir, 'evicted-days')} was closed`);
  expect(readFileSync(path.join(dir, 'evicted-days'), 'utf8')).toBe('kept');
});

test('a region past the end of the file (cut short behind the run\'s back) is an error, not zeros', () => {
  const file = path.join(dir, 'evicted-days');
  const spill = new SpillFile(file);
  const region = spill.write([bytes('0123456789')]);
  const tail = spill.write([bytes('tail')]);
  rmSync(file); // a new file of the same name is not the one open: the open one still reads
  expect(spill.read(tail).toString()).toBe('tail');
  expect(() => spill.read({ at: region.at, length: 20, capacity: 20 })).toThrow(`the scratch file ${file} ends before 20 bytes`);
  spill.close();
});
