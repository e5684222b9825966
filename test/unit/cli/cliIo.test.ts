import { Writable } from 'node:stream';
import { printOutput, writeText } from '../../../src/cli/cliIo';

/** A stream whose every write fails with `code`, as a full device or a closed pipe does. */
function failing(code: string): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback(Object.assign(new Error(`${code}: write failed`), { code }));
    },
  });
}

function collecting(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stream.text += chunk.toString();
      callback();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

test('writeText settles once written and leaves no listener behind', async () => {
  const out = collecting();
  await writeText(out, 'a table\n');
  expect(out.text).toBe('a table\n');
  expect(out.listenerCount('error')).toBe(0);
});

test("writeText rejects with the write's error, and the stream's 'error' event finds a listener", async () => {
  const out = failing('ENOSPC');
  await expect(writeText(out, 'x')).rejects.toMatchObject({ code: 'ENOSPC' });
  // The 'error' event comes after the callback: with no listener left it would be thrown.
  await new Promise((resolve) => setImmediate(resolve));
  expect(out.listenerCount('error')).toBe(1);
});

test('printOutput: a full device is ERR_OUTPUT naming stdout; a reader gone is no error', async () => {
  await expect(printOutput(failing('ENOSPC'), 'status')).rejects.toMatchObject({ message: 'cannot write stdout: ENOSPC', code: 'ERR_OUTPUT' });
  await expect(printOutput(failing('EPIPE'), 'status')).resolves.toBeUndefined();
});
