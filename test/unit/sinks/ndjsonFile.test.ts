import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { NdjsonWriter, OutputError } from '../../../src/sinks/ndjsonFile';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-ndjson-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('writes one value a line and moves the file into place on close', async () => {
  const target = path.join(dir, 'sub', 'out.ndjson');
  const writer = new NdjsonWriter(target);
  await writer.write({ a: 1 });
  await writer.write({ log_id: '90020240310045959999000000000000000000000000000000000001' });
  expect(existsSync(target)).toBe(false); // not before close
  await writer.close();
  expect(readFileSync(target, 'utf8')).toBe('{"a":1}\n{"log_id":"90020240310045959999000000000000000000000000000000000001"}\n');
  expect(readdirSync(path.dirname(target))).toEqual(['out.ndjson']);
});

test('a target that is a folder is refused when the writer is made, before anything is read', () => {
  const target = path.join(dir, 'out.ndjson');
  mkdirSync(target);
  expect(() => new NdjsonWriter(target)).toThrow(new OutputError(`cannot write ${target}: it is a folder`));
  expect(readdirSync(dir)).toEqual(['out.ndjson']); // no temp file left
});

test('a folder path through a file is named as such', () => {
  writeFileSync(path.join(dir, 'afile'), 'x');
  const target = path.join(dir, 'afile', 'out.ndjson');
  expect(() => new NdjsonWriter(target)).toThrow(new OutputError(`cannot write ${target}: part of its folder path is a file`));
});

test('a failing file rejects the next write and close with OutputError, and does not crash the process', async () => {
  const target = path.join(dir, 'out.ndjson');
  const writer = new NdjsonWriter(target);
  await writer.write({ a: 1 });
  // The file stream fails as a full or broken disk would make it fail.
  const file = (writer as unknown as { out: NodeJS.WritableStream & { destroy(err: Error): void } }).out;
  const closed = new Promise((resolve) => file.on('close', resolve));
  file.destroy(Object.assign(new Error('i/o error'), { code: 'EIO' }));
  await closed;
  await expect(writer.write({ a: 2 })).rejects.toThrow(new OutputError(`cannot write ${target}: EIO`));
  await expect(writer.close()).rejects.toThrow(OutputError);
  expect(readdirSync(dir)).toEqual([]);
});

test('a target made a folder during the run keeps the output in the temp file and says where', async () => {
  const target = path.join(dir, 'out.ndjson');
  const writer = new NdjsonWriter(target);
  await writer.write({ a: 1 });
  mkdirSync(target);
  const temp = path.join(dir, `.out.ndjson.${process.pid}.tmp`);
  await expect(writer.close()).rejects.toThrow(`cannot move the output into place at ${target} (EISDIR); it is in ${temp}`);
  expect(readFileSync(temp, 'utf8')).toBe('{"a":1}\n');
});

test('a target ending in a path separator is refused: it names a folder, and the rename would fail after a commit', () => {
  const target = path.join(dir, 'newdir') + path.sep;
  expect(() => new NdjsonWriter(target)).toThrow(new OutputError(`cannot write ${target}: it names a folder, not a file`));
  expect(readdirSync(dir)).toEqual([]);
});

test('a pipe (like /dev/null or /dev/stdout) is written in place, not replaced by a renamed file', async () => {
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const reader = createReadStream(fifo, 'utf8'); // opened first: opening a pipe to write waits for a reader
  const chunks: string[] = [];
  reader.on('data', (chunk) => chunks.push(chunk as string));
  const readerDone = new Promise<void>((resolve) => reader.on('end', () => resolve()));
  // The read stream opens on a later tick; once it has asked, the writer's blocking open meets it.
  await new Promise((resolve) => setImmediate(resolve));
  const writer = new NdjsonWriter(fifo);
  await writer.write({ a: 1 });
  await writer.close();
  await readerDone;
  expect(chunks.join('')).toBe('{"a":1}\n');
  expect(statSync(fifo).isFIFO()).toBe(true);
  expect(readdirSync(dir)).toEqual(['pipe']);
});

test('a target that cannot be looked at is an OutputError naming the reason', () => {
  const target = path.join(dir, 'loop');
  symlinkSync(target, target);
  expect(() => new NdjsonWriter(target)).toThrow(new OutputError(`cannot write ${target}: ELOOP`));
});

test('writeAll writes a batch of values as their lines in one write', async () => {
  const chunks: string[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding: string, done: () => void) {
      if (chunk.length > 0) chunks.push(chunk.toString('utf8')); // close() writes '' to wait for the last
      done();
    },
  });
  const writer = new NdjsonWriter('-', stdout);
  const values = Array.from({ length: 1000 }, (_, i) => ({ n: i, s: `v${i}` }));
  await writer.writeAll(values);
  await writer.writeAll([]);
  await writer.write({ last: true });
  await writer.close();
  expect(chunks).toHaveLength(2);
  expect(chunks[0]).toBe(values.map((v) => `{"n":${v.n},"s":"${v.s}"}\n`).join(''));
  expect(chunks[1]).toBe('{"last":true}\n');
  expect(writer.count).toBe(1001);
});

test('writeAll writes a large batch a megabyte or so at a time', async () => {
  const chunks: string[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding: string, done: () => void) {
      if (chunk.length > 0) chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const writer = new NdjsonWriter('-', stdout);
  // 4 000 lines of 1 000 characters ("x" × 990 inside {"s":"…"} and the line feed): 4 MB.
  const values = Array.from({ length: 4000 }, () => ({ s: 'x'.repeat(990) }));
  await writer.writeAll(values);
  await writer.close();
  expect(chunks.join('')).toBe(`{"s":"${'x'.repeat(990)}"}\n`.repeat(4000));
  // 1 048 576 / 999 rounds up to 1 050 lines a write: three writes of 1 050 lines, then the 850 left.
  expect(chunks.map((c) => c.length / 999)).toEqual([1050, 1050, 1050, 850]);
});

test('writeAll hands the stream its lines as bytes, encoded at once, not as the joined text', async () => {
  const chunks: Array<Buffer | string> = [];
  // decodeStrings: false shows what the writer gave the stream (a string would otherwise be encoded on the way in).
  const stdout = new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding: string, done: () => void) {
      if (chunk.length > 0) chunks.push(chunk);
      done();
    },
  });
  const writer = new NdjsonWriter('-', stdout);
  await writer.writeAll([{ s: 'é' }, { n: 1 }]);
  await writer.close();
  expect(chunks).toHaveLength(1);
  expect(Buffer.isBuffer(chunks[0])).toBe(true);
  // é is two bytes in UTF-8: 10 + 1 + 8 bytes.
  expect(chunks[0]).toEqual(Buffer.from('{"s":"é"}\n{"n":1}\n', 'utf8'));
  expect(chunks[0]!.length).toBe(19);
});

test('close(false) (a failed run) discards what was written: the previous file stays as it was, and no temp file is left', async () => {
  const target = path.join(dir, 'out.ndjson');
  writeFileSync(target, '{"previous":true}\n');
  const writer = new NdjsonWriter(target);
  await writer.write({ a: 1 });
  await writer.close(false);
  expect(readdirSync(dir)).toEqual(['out.ndjson']);
  expect(readFileSync(target, 'utf8')).toBe('{"previous":true}\n');
});

test('publish() onto a target made a folder fails saying where the output is, and leaves no copy of it beside that', async () => {
  const target = path.join(dir, 'out.ndjson');
  const writer = new NdjsonWriter(target);
  await writer.write({ a: 1 });
  mkdirSync(target);
  const temp = `.out.ndjson.${process.pid}.tmp`;
  await expect(writer.publish()).rejects.toThrow(`cannot move the output into place at ${target} (EISDIR); it is in ${path.join(dir, temp)}`);
  expect(readdirSync(dir).sort()).toEqual([temp, 'out.ndjson'].sort());
  expect(readFileSync(path.join(dir, temp), 'utf8')).toBe('{"a":1}\n');
});
