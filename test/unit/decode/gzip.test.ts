import { Readable } from 'node:stream';
import { constants, crc32, gunzipSync, gzipSync } from 'node:zlib';
import { hasGzipMagic, pumpDecompressed } from '../../../src/decode/gzip';
import { randomChunks, seededRandom } from './archiveGenerator';

async function pump(input: Readable): Promise<{ bytes: Buffer; gzipError: string | null }> {
  const parts: Buffer[] = [];
  const { gzipError } = await pumpDecompressed(input, (chunk) => parts.push(Buffer.from(chunk)));
  return { bytes: Buffer.concat(parts), gzipError };
}

const TEXT = Array.from({ length: 400 }, (_, i) => `{"log_id":"${String(i).padStart(56, '9')}","n":${i * 7919 % 1000}}`).join('\n') + '\n';

describe('hasGzipMagic', () => {
  it('needs both magic bytes', () => {
    expect(hasGzipMagic(Buffer.from([0x1f, 0x8b, 0x08]))).toBe(true);
    expect(hasGzipMagic(Buffer.from([0x1f]))).toBe(false);
    expect(hasGzipMagic(Buffer.from([0x1f, 0x8c]))).toBe(false);
    expect(hasGzipMagic(Buffer.from('{"a":1}'))).toBe(false);
  });
});

describe('pumpDecompressed', () => {
  it('passes plain bytes through unchanged, however they are chunked', async () => {
    const plain = Buffer.from(TEXT);
    expect(await pump(Readable.from([plain]))).toEqual({ bytes: plain, gzipError: null });
    expect(await pump(Readable.from(randomChunks(seededRandom(3), plain, true)))).toEqual({ bytes: plain, gzipError: null });
  });

  it('reports each gzipped input chunk once gunzip is done with it (its bytes may then be overwritten), and no plain one', async () => {
    // Incompressible-ish text, so that the gzip spans many chunks and gunzip is mid-stream at each report.
    const text = Array.from({ length: 3000 }, (_, i) => `{"n":${(i * 2654435761) % 4294967296},"m":"${((i * 40503) % 65536).toString(36)}"}`).join('\n');
    const gz = gzipSync(text);
    const chunks = randomChunks(seededRandom(5), gz, false).map((chunk) => Buffer.from(chunk)); // each its own buffer
    expect(chunks.length).toBeGreaterThan(20);
    const done: Buffer[] = [];
    const parts: Buffer[] = [];
    const outcome = await pumpDecompressed(Readable.from(chunks), (chunk) => parts.push(Buffer.from(chunk)), (chunk) => {
      done.push(chunk);
      chunk.fill(0x55); // what reuse would do; gunzip must not read these bytes again
    });
    expect(outcome).toEqual({ gzipError: null });
    expect(Buffer.concat(parts).toString()).toBe(text);
    expect(done).toEqual(chunks); // the same chunks (all overwritten by now), in order
    expect(done.every((chunk, i) => chunk === chunks[i])).toBe(true);

    const plainDone: Buffer[] = [];
    await pumpDecompressed(Readable.from([Buffer.from(text)]), () => undefined, (chunk) => plainDone.push(chunk));
    expect(plainDone).toEqual([]);
  });

  it('reads empty input and single bytes as plain, including a lone 0x1f', async () => {
    expect(await pump(Readable.from([]))).toEqual({ bytes: Buffer.alloc(0), gzipError: null });
    expect(await pump(Readable.from([Buffer.from([0x1f])]))).toEqual({ bytes: Buffer.from([0x1f]), gzipError: null });
    expect(await pump(Readable.from([Buffer.from([0x1f]), Buffer.from('x')]))).toEqual({ bytes: Buffer.from([0x1f, 0x78]), gzipError: null });
  });

  it('detects gzip by its magic even when the first chunk is one byte long', async () => {
    const gz = gzipSync(TEXT);
    const chunks = [gz.subarray(0, 1), gz.subarray(1, 2), gz.subarray(2)];
    expect(await pump(Readable.from(chunks))).toEqual({ bytes: Buffer.from(TEXT), gzipError: null });
  });

  it('reads several concatenated gzip members as one stream', async () => {
    const gz = Buffer.concat([gzipSync('first\n'), gzipSync('second\n'), gzipSync('third')]);
    expect(await pump(Readable.from([gz]))).toEqual({ bytes: Buffer.from('first\nsecond\nthird'), gzipError: null });
    expect(await pump(Readable.from(randomChunks(seededRandom(5), gz, true)))).toEqual({ bytes: Buffer.from('first\nsecond\nthird'), gzipError: null });
  });

  it('delivers everything before the cut of a truncated gzip and reports zlib\'s message', async () => {
    const gz = gzipSync(TEXT);
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    // Independent method: zlib's synchronous inflate with a sync flush returns all bytes before the cut.
    const before = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(TEXT.length);
    for (const chunks of [[cut], randomChunks(seededRandom(1), cut, false), randomChunks(seededRandom(2), cut, true)]) {
      expect(await pump(Readable.from(chunks))).toEqual({ bytes: before, gzipError: 'unexpected end of file' });
    }
  });

  it('keeps the earlier member when a later one is corrupt', async () => {
    const bad = Buffer.from(gzipSync('second\n'));
    bad[10] = 0xff; // first deflate block header: reserved block type 3
    expect(await pump(Readable.from([gzipSync('first\n'), bad]))).toEqual({ bytes: Buffer.from('first\n'), gzipError: 'invalid block type' });
    expect(await pump(Readable.from([gzipSync('first\n'), Buffer.from('trailing garbage')]))).toEqual({
      bytes: Buffer.from('first\n'),
      gzipError: 'data after the end of the gzip stream',
    });
  });

  // zlib's Gunzip failed in the step that inflated the member's last bytes, and that step's output (up to 1 MiB)
  // went with the error: valid records vanished.
  it('delivers every byte of a member followed by bytes that are not a member, in the same chunk or not', async () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `{"log_id":"${i}","n":${(i * 7919) % 100_003}}`).join('\n') + '\n';
    expect(text.length).toBeGreaterThan(1 << 20); // more than one output chunk
    const gz = gzipSync(text);
    for (const tail of ['\r\n', '\n', '  ', '{"log_id":"x"}\n']) {
      const file = Buffer.concat([gz, Buffer.from(tail)]);
      for (const chunks of [[file], randomChunks(seededRandom(8), file, false), [file.subarray(0, gz.length), file.subarray(gz.length)]]) {
        const got = await pump(Readable.from(chunks));
        expect([tail, got.gzipError, got.bytes.length]).toEqual([tail, 'data after the end of the gzip stream', text.length]);
        expect(got.bytes.equals(Buffer.from(text))).toBe(true);
      }
    }
  });

  it('delivers a member whose CRC or length is wrong, then says so', async () => {
    const text = 'x'.repeat(3 << 20) + '\n';
    const gz = gzipSync(text);
    const badCrc = Buffer.from(gz);
    badCrc[gz.length - 8]! ^= 0x01;
    const badLength = Buffer.from(gz);
    badLength[gz.length - 1]! ^= 0x01;
    for (const [file, message] of [[badCrc, 'incorrect data check'], [badLength, 'incorrect length check']] as const) {
      const got = await pump(Readable.from([file]));
      expect([got.gzipError, got.bytes.equals(Buffer.from(text))]).toEqual([message, true]);
    }
  });

  it('reads headers with an extra field, a name, a comment and a header CRC, however the bytes are cut', async () => {
    const gz = gzipSync('{"a":1}\n');
    const flags = 0x02 | 0x04 | 0x08 | 0x10;
    const head = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3]), Buffer.from([3, 0, 7, 8, 9]), Buffer.from('logs.ndjson\0'), Buffer.from('a comment\0')]);
    const hcrc = Buffer.alloc(2);
    hcrc.writeUInt16LE(crc32(head) & 0xffff);
    const member = Buffer.concat([head, hcrc, gz.subarray(10)]);
    expect(gunzipSync(member).toString()).toBe('{"a":1}\n'); // zlib reads it too
    const file = Buffer.concat([member, member]);
    const ones = Array.from(file, (byte) => Buffer.from([byte]));
    for (const chunks of [[file], ones]) expect(await pump(Readable.from(chunks))).toEqual({ bytes: Buffer.from('{"a":1}\n{"a":1}\n'), gzipError: null });
    const badHcrc = Buffer.from(member);
    badHcrc[head.length]! ^= 0xff;
    expect(await pump(Readable.from([gz, badHcrc]))).toEqual({ bytes: Buffer.from('{"a":1}\n'), gzipError: 'header crc mismatch' });
  });

  it('reads a name and an extra field longer than a chunk, and a name that never ends is a cut header', async () => {
    const gz = gzipSync('{"b":2}\n');
    const extra = Buffer.alloc(60_000, 7);
    const xlen = Buffer.alloc(2);
    xlen.writeUInt16LE(extra.length);
    const name = Buffer.alloc(200_000, 0x61);
    const member = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x04 | 0x08, 0, 0, 0, 0, 0, 3]), xlen, extra, name, Buffer.from([0]), gz.subarray(10)]);
    expect(gunzipSync(member).toString()).toBe('{"b":2}\n');
    const kib = Array.from({ length: Math.ceil(member.length / 1024) }, (_, i) => member.subarray(i * 1024, (i + 1) * 1024));
    expect(await pump(Readable.from(kib))).toEqual({ bytes: Buffer.from('{"b":2}\n'), gzipError: null });
    const endless = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3]), Buffer.alloc(4 << 20, 0x61)]);
    expect(await pump(Readable.from([endless]))).toEqual({ bytes: Buffer.alloc(0), gzipError: 'unexpected end of file' });
  });

  it('says what is wrong with the header of a later member', async () => {
    const first = gzipSync('first\n');
    const second = Buffer.from(gzipSync('second\n'));
    const method = Buffer.from(second);
    method[2] = 9;
    const reserved = Buffer.from(second);
    reserved[3] = 0x20;
    const magic = Buffer.from(second);
    magic[1] = 0x8c;
    for (const [bad, message] of [[method, 'unknown compression method'], [reserved, 'unknown header flags set'], [magic, 'incorrect header check']] as const) {
      expect(await pump(Readable.from([Buffer.concat([first, bad])]))).toEqual({ bytes: Buffer.from('first\n'), gzipError: message });
    }
  });

  it('cut inside the header, the trailer or just after the deflate data: every byte inflated, then unexpected end of file', async () => {
    const text = 'first line\nsecond line\n';
    const gz = gzipSync(text);
    const cases: Array<[number, string]> = [[5, ''], [gz.length - 8, text], [gz.length - 3, text]];
    for (const [cut, before] of cases) {
      for (const chunks of [[gz.subarray(0, cut)], Array.from(gz.subarray(0, cut), (byte) => Buffer.from([byte]))]) {
        expect([cut, await pump(Readable.from(chunks))]).toEqual([cut, { bytes: Buffer.from(before), gzipError: 'unexpected end of file' }]);
      }
    }
  });

  it('keeps every byte when the consumer is slow to take them (20 MiB from one small chunk)', async () => {
    const text = 'y'.repeat(20 << 20);
    const parts: Buffer[] = [];
    const outcome = await pumpDecompressed(Readable.from([Buffer.concat([gzipSync(text), Buffer.from('!')])]), (chunk) => {
      parts.push(Buffer.from(chunk));
    });
    expect(outcome).toEqual({ gzipError: 'data after the end of the gzip stream' });
    expect(Buffer.concat(parts).equals(Buffer.from(text))).toBe(true);
  });

  it('reports data after a run of zero bytes past the last member, which gunzip stops at without a word', async () => {
    const first = gzipSync('first\n');
    const second = gzipSync('second\n');
    const hidden = Buffer.concat([first, Buffer.alloc(512), second]);
    // gzip(1) says "trailing garbage ignored" here; the second member's bytes must not vanish unreported.
    for (const chunks of [[hidden], [first, Buffer.concat([Buffer.alloc(512), second])], randomChunks(seededRandom(6), hidden, false)]) {
      expect(await pump(Readable.from(chunks))).toEqual({ bytes: Buffer.from('first\n'), gzipError: 'data after the end of the gzip stream' });
    }
    expect(await pump(Readable.from([first, Buffer.alloc(3), Buffer.from('{"plain":1}\n')]))).toEqual({
      bytes: Buffer.from('first\n'),
      gzipError: 'data after the end of the gzip stream',
    });
  });

  it('takes zero bytes after the last member as padding, however they are chunked', async () => {
    const padded = Buffer.concat([gzipSync('first\n'), gzipSync('second\n'), Buffer.alloc(1000)]);
    for (const chunks of [[padded], randomChunks(seededRandom(7), padded, false)]) {
      expect(await pump(Readable.from(chunks))).toEqual({ bytes: Buffer.from('first\nsecond\n'), gzipError: null });
    }
  });

  it('stops reading and destroys the input after bad gzip data', async () => {
    const bad = Buffer.from(gzipSync('x'));
    bad[10] = 0xff;
    let pushed = 0;
    const endless = new Readable({
      read() {
        this.push(pushed++ === 0 ? bad : Buffer.alloc(1024, 0x41));
      },
    });
    expect(await pump(endless)).toEqual({ bytes: Buffer.alloc(0), gzipError: 'invalid block type' });
    expect(endless.destroyed).toBe(true);
  });

  it('rejects with the input\'s own error, plain or gzip', async () => {
    for (const first of [Buffer.from('{"a":1}\n'), gzipSync('{"a":1}\n').subarray(0, 12)]) {
      const failure = new Error('socket reset');
      let sent = false;
      const input = new Readable({
        read() {
          if (sent) return this.destroy(failure);
          sent = true;
          this.push(first);
        },
      });
      await expect(pumpDecompressed(input, () => undefined)).rejects.toBe(failure);
    }
  });

  it('rejects when the input closes before its end', async () => {
    const input = new Readable({
      read() {
        this.push('{"a":');
        this.destroy();
      },
    });
    await expect(pumpDecompressed(input, () => undefined)).rejects.toThrow('input stream closed before its end');
  });

  it('rejects with the consumer\'s error and destroys the input', async () => {
    const failure = new Error('sink full');
    const input = new Readable({ read() { this.push('{"a":1}\n'); } });
    await expect(pumpDecompressed(input, () => { throw failure; })).rejects.toBe(failure);
    expect(input.destroyed).toBe(true);
    const gzInput = Readable.from([gzipSync(TEXT)]);
    await expect(pumpDecompressed(gzInput, () => { throw failure; })).rejects.toBe(failure);
  });
});
