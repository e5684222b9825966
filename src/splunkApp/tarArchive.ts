import { Auth0UsageError } from '../support/errors';

/**
 * A minimal POSIX ustar writer: regular files and directories only, which is all a Splunk app package holds.
 * Enough for `tar`, Splunk's app installer and AppInspect; no dependency needed for ~100 lines.
 */

export interface TarEntry {
  /** POSIX path inside the archive; directories end with "/". */
  readonly path: string;
  readonly type: 'file' | 'directory';
  /** Permission bits, e.g. 0o644. */
  readonly mode: number;
  /** Modification time, epoch seconds. */
  readonly mtime: number;
  /** File bytes (files only). */
  readonly content?: Buffer;
}

export class TarPathError extends Auth0UsageError {
  static override readonly code: string = 'ERR_SPLUNK_APP_TAR_PATH';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`cannot store "${path}" in a ustar archive: ${reason}`);
  }
}

const BLOCK = 512;
const NAME_LENGTH = 100;
const PREFIX_LENGTH = 155;

/** ustar keeps long paths as prefix + "/" + name; the split must fall on a slash. */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= NAME_LENGTH) return { name: path, prefix: '' };
  // A directory's trailing slash belongs to the name part.
  const searchEnd = path.endsWith('/') ? path.length - 2 : path.length - 1;
  for (let slash = path.lastIndexOf('/', searchEnd); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (Buffer.byteLength(name) > NAME_LENGTH) break;
    if (Buffer.byteLength(prefix) <= PREFIX_LENGTH) return { name, prefix };
  }
  throw new TarPathError(path, 'too long for ustar name and prefix fields');
}

/** An octal number field: digits, zero-padded, then NUL. */
function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new RangeError(`${value} does not fit a ${length}-byte tar field`);
  header.write(`${digits.padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

function headerFor(entry: TarEntry): Buffer {
  if (entry.path.startsWith('/') || entry.path.split('/').includes('..')) {
    throw new TarPathError(entry.path, 'absolute paths and ".." are not allowed');
  }
  if ((entry.type === 'directory') !== entry.path.endsWith('/')) {
    throw new TarPathError(entry.path, 'directories, and only directories, end with "/"');
  }
  const { name, prefix } = splitPath(entry.path);
  const size = entry.type === 'file' ? (entry.content?.length ?? 0) : 0;
  const header = Buffer.alloc(BLOCK, 0);
  header.write(name, 0, NAME_LENGTH, 'utf8');
  writeOctal(header, 100, 8, entry.mode);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, entry.mtime);
  header.write(entry.type === 'file' ? '0' : '5', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write(prefix, 345, PREFIX_LENGTH, 'utf8');
  // The checksum is computed with its own field read as eight spaces.
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

/** The archive bytes: each entry's header and padded content, then two zero blocks. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(headerFor(entry));
    if (entry.type === 'file' && entry.content && entry.content.length > 0) {
      parts.push(entry.content);
      const padding = (BLOCK - (entry.content.length % BLOCK)) % BLOCK;
      if (padding > 0) parts.push(Buffer.alloc(padding, 0));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}
