/**
 * Lists a .tgz the way an installer sees it: gunzip, then read each 512-byte ustar header. Written
 * separately from the writer in src/splunkApp so a shared misunderstanding would have to be made twice;
 * the tests also compare against the system's tar.
 */
import { gunzipSync } from 'node:zlib';

export interface TarListingEntry {
  readonly path: string;
  /** '0' file, '5' directory, anything else as found. */
  readonly typeflag: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly magic: string;
  readonly checksumValid: boolean;
  readonly content: Buffer;
}

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? length : nul).toString('utf8');
}

function octal(header: Buffer, offset: number, length: number): number {
  return parseInt(field(header, offset, length).trim() || '0', 8);
}

export function listTgz(tgz: Buffer): TarListingEntry[] {
  const tar = gunzipSync(tgz);
  const entries: TarListingEntry[] = [];
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    let sum = 0;
    header.forEach((byte, i) => {
      sum += i >= 148 && i < 156 ? 0x20 : byte;
    });
    const name = field(header, 0, 100);
    const prefix = field(header, 345, 155);
    const size = octal(header, 124, 12);
    entries.push({
      path: prefix ? `${prefix}/${name}` : name,
      typeflag: String.fromCharCode(header[156]),
      mode: octal(header, 100, 8),
      uid: octal(header, 108, 8),
      gid: octal(header, 116, 8),
      size,
      mtime: octal(header, 136, 12),
      magic: header.subarray(257, 265).toString('latin1'),
      checksumValid: octal(header, 148, 8) === sum,
      content: Buffer.from(tar.subarray(at + BLOCK, at + BLOCK + size)),
    });
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
