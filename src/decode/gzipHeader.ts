import { crc32 } from 'node:zlib';

// Header flags (RFC 1952, 2.3.1).
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED = 0xe0;

const FIXED = 0; // ID1 ID2 CM FLG MTIME(4) XFL OS
const XLEN = 1;
const EXTRA = 2;
const NAME = 3;
const COMMENT = 4;
const HCRC = 5;
const HEADER_DONE = 6;

/**
 * One member's header (RFC 1952, 2.3), read as its bytes come, in any chunks: in time linear in its length and
 * holding none of a name, comment or extra field, however long (a hostile file's name may never end).
 */
export class HeaderReader {
  private phase = FIXED;
  private flags = 0;
  private fixedRead = 0;
  /** Bytes still to come of the current field: XLEN's 2, the extra field's XLEN, HCRC's 2. */
  private left = 0;
  private value = 0;
  /** CRC-32 of the header's bytes before HCRC, whose low 16 bits HCRC holds. */
  private crc = 0;

  /** Reads from `chunk` at `at`: the offset just past the header, -1 when it goes on in the next chunk, or zlib's message for a bad one. */
  read(chunk: Buffer, at: number): number | string {
    const from = at;
    while (at < chunk.length && this.phase !== HEADER_DONE) {
      const byte = chunk[at]!;
      switch (this.phase) {
        case FIXED: {
          const i = this.fixedRead++;
          if ((i === 0 && byte !== 0x1f) || (i === 1 && byte !== 0x8b)) return 'incorrect header check';
          if (i === 2 && byte !== 8) return 'unknown compression method';
          if (i === 3) {
            if ((byte & RESERVED) !== 0) return 'unknown header flags set';
            this.flags = byte;
          }
          at++;
          if (this.fixedRead === 10) this.next(FIXED);
          break;
        }
        case XLEN:
          this.value |= byte << (8 * (2 - this.left));
          at++;
          if (--this.left === 0) {
            this.left = this.value;
            this.phase = EXTRA;
            if (this.left === 0) this.next(EXTRA);
          }
          break;
        case EXTRA: {
          const take = Math.min(this.left, chunk.length - at);
          at += take;
          this.left -= take;
          if (this.left === 0) this.next(EXTRA);
          break;
        }
        case NAME:
        case COMMENT: {
          const zero = chunk.indexOf(0, at);
          if (zero < 0) {
            at = chunk.length;
          } else {
            at = zero + 1;
            this.next(this.phase);
          }
          break;
        }
        case HCRC:
          // Carried on from an earlier chunk: the CRC of the bytes before HCRC is complete.
          return this.readHcrc(chunk, at);
      }
      if (this.phase === HCRC) {
        this.crc = crc32(chunk.subarray(from, at), this.crc);
        return this.readHcrc(chunk, at);
      }
    }
    if (this.phase === HEADER_DONE) return at;
    if ((this.flags & FHCRC) !== 0 || this.fixedRead < 10) this.crc = crc32(chunk.subarray(from, at), this.crc);
    return -1;
  }

  /** HCRC's two bytes, from `at` (the CRC of the header before them is complete). */
  private readHcrc(chunk: Buffer, at: number): number | string {
    while (at < chunk.length && this.left > 0) {
      this.value |= chunk[at++]! << (8 * (2 - this.left));
      this.left--;
    }
    if (this.left > 0) return -1;
    if (this.value !== (this.crc & 0xffff)) return 'header crc mismatch';
    this.phase = HEADER_DONE;
    return at;
  }

  /** The field after `phase` that the flags call for. */
  private next(phase: number): void {
    const order: Array<[number, number]> = [[XLEN, FEXTRA], [NAME, FNAME], [COMMENT, FCOMMENT], [HCRC, FHCRC]];
    const after = phase === FIXED ? 0 : phase === EXTRA ? 1 : phase === NAME ? 2 : 3;
    const field = order.slice(after).find(([, flag]) => (this.flags & flag) !== 0);
    this.phase = field === undefined ? HEADER_DONE : field[0];
    this.left = this.phase === XLEN || this.phase === HCRC ? 2 : 0;
    this.value = 0;
  }
}
