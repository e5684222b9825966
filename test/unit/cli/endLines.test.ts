import { PassThrough } from 'node:stream';
import { EndLines } from '../../../src/cli/endLines';

function written(json: boolean, err: unknown): string {
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  EndLines.on(stderr, json, 'run-1').failure(err);
  return Buffer.concat(chunks).toString('utf8');
}

describe('EndLines.failure: an unexpected error', () => {
  // A defect's message can quote what it failed on; the stack is shown, so it is redacted like any error text.
  const defect = new TypeError('cannot read x of the answer {"authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig"}');

  it('shows its stack, without a token the message quoted, as plain text', () => {
    const text = written(false, defect);
    expect(text.startsWith('auth0-usage: unexpected error: TypeError: cannot read x of the answer')).toBe(true);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9');
  });

  it('shows its stack, without a token the message quoted, as a JSON line', () => {
    const line = JSON.parse(written(true, defect).trim()) as { msg: string; stack: string; exit_code: number };
    expect(line.msg).toBe('unexpected error');
    expect(line.exit_code).toBe(1);
    expect(line.stack).toMatch(/^TypeError: cannot read x of the answer/);
    expect(line.stack).not.toContain('eyJhbGciOiJIUzI1NiJ9');
  });
});
