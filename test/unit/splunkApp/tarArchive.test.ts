import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TarPathError, writeTar } from '../../../src/splunkApp/tarArchive';
import { listTgz } from './helpers/tarListing';

describe('writeTar', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tar-archive-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('pads content to 512-byte blocks and ends with two zero blocks', () => {
    const tar = writeTar([{ path: 'a.txt', type: 'file', mode: 0o644, mtime: 0, content: Buffer.from('hello') }]);
    // header + one content block + two end blocks
    expect(tar.length).toBe(512 * 4);
    expect(tar.subarray(512, 517).toString()).toBe('hello');
    expect(tar.subarray(517).every((byte) => byte === 0)).toBe(true);
  });

  it('stores a path longer than 100 bytes in the ustar prefix, as the system tar reads it', () => {
    const longDir = `app/${'d'.repeat(60)}/${'e'.repeat(50)}/`;
    const longFile = `${longDir}${'f'.repeat(90)}.conf`;
    const content = Buffer.from('[s]\nkey = value\n');
    const tgz = gzipSync(
      writeTar([
        { path: longDir, type: 'directory', mode: 0o755, mtime: 1700000000 },
        { path: longFile, type: 'file', mode: 0o644, mtime: 1700000000, content },
      ]),
    );
    const file = join(work, 'long.tgz');
    writeFileSync(file, tgz);
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual([longDir, longFile]);
    expect(listTgz(tgz).map((entry) => [entry.path, entry.checksumValid])).toEqual([
      [longDir, true],
      [longFile, true],
    ]);
    execFileSync('tar', ['-xzf', file, '-C', work]);
    expect(readFileSync(join(work, longFile)).equals(content)).toBe(true);
  });

  it('refuses paths ustar cannot hold or that escape the archive', () => {
    const entry = (path: string) => ({ path, type: 'file' as const, mode: 0o644, mtime: 0, content: Buffer.alloc(0) });
    expect(() => writeTar([entry(`${'x'.repeat(101)}`)])).toThrow(TarPathError);
    expect(() => writeTar([entry(`${'p'.repeat(160)}/name`)])).toThrow('too long for ustar name and prefix fields');
    expect(() => writeTar([entry('../etc/passwd')])).toThrow('absolute paths and ".." are not allowed');
    expect(() => writeTar([entry('/etc/passwd')])).toThrow('absolute paths and ".." are not allowed');
    expect(() => writeTar([entry('dir/')])).toThrow('directories, and only directories, end with "/"');
  });
});
