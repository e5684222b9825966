import { LogIdSet } from './logIdSet';
import { Auth0UsageError } from '../support/errors';

/**
 * A day's log_id hashes on disk: a 16-byte header (magic "A0ID", format version, count, 0) followed by
 * count × (high 32 bits, low 32 bits), little-endian. 8 bytes an id; the set is rebuilt with claimHash().
 */
const MAGIC = 0x44493041; // "A0ID" read as a little-endian uint32
const VERSION = 1;
const HEADER_BYTES = 16;

/** Thrown for bytes that are not a log_id file of this version. */
export class LogIdFileError extends Auth0UsageError {
  static override readonly code: string = 'ERR_LOG_ID_FILE';
}

export function encodeLogIds(set: LogIdSet): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES + set.size * 8);
  buffer.writeUInt32LE(MAGIC, 0);
  buffer.writeUInt32LE(VERSION, 4);
  buffer.writeUInt32LE(set.size, 8);
  let offset = HEADER_BYTES;
  set.forEachHash((hi, lo) => {
    buffer.writeUInt32LE(hi, offset);
    buffer.writeUInt32LE(lo, offset + 4);
    offset += 8;
  });
  return buffer;
}

/** Adds the file's hashes to `into` (a new set sized for them when absent) and returns it. */
export function decodeLogIds(bytes: Buffer, into?: LogIdSet): LogIdSet {
  if (bytes.length < HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) throw new LogIdFileError('not a log_id file');
  if (bytes.readUInt32LE(4) !== VERSION) throw new LogIdFileError(`log_id file version ${bytes.readUInt32LE(4)} is not ${VERSION}`);
  const count = bytes.readUInt32LE(8);
  if (bytes.length !== HEADER_BYTES + count * 8) throw new LogIdFileError(`log_id file holds ${bytes.length} bytes, not ${HEADER_BYTES + count * 8}`);
  const set = into ?? new LogIdSet(count * 2);
  for (let offset = HEADER_BYTES; offset < bytes.length; offset += 8) {
    set.claimHash(bytes.readUInt32LE(offset), bytes.readUInt32LE(offset + 4));
  }
  return set;
}
