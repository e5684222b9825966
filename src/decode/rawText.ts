import { QUARANTINE_RAW_LIMIT } from './logRecord';

/**
 * Bytes kept per quarantined span. Decoding this many bytes always yields more than QUARANTINE_RAW_LIMIT UTF-16
 * units (no UTF-8 sequence is longer than 4 bytes), so the cut text is the same as if the whole span had been kept.
 */
export const RAW_CAPTURE_BYTES = 4 * QUARANTINE_RAW_LIMIT;

/** The quarantine text of a well-formed item: its source text cut at the limit. */
export function itemRaw(text: string): string {
  return text.length > QUARANTINE_RAW_LIMIT ? text.slice(0, QUARANTINE_RAW_LIMIT) : text;
}

/** The quarantine text of a malformed span: cut at the limit, then trailing JSON whitespace (line ends) dropped. */
export function malformedRaw(text: string): string {
  const cut = itemRaw(text);
  let end = cut.length;
  while (end > 0) {
    const c = cut.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    end--;
  }
  return end === cut.length ? cut : cut.slice(0, end);
}

/**
 * Copies the first RAW_CAPTURE_BYTES of a span of the byte stream that starts at absolute offset `start`, while the
 * scanner moves over it chunk by chunk. Chunks may be offered twice (after a rewind); only new bytes are taken.
 */
export class RawCapture {
  private readonly parts: Buffer[] = [];
  private end: number;

  /** `bytes`: how many of the span's first bytes to keep (0 when nobody will read the text). */
  constructor(readonly start: number, private readonly bytes: number = RAW_CAPTURE_BYTES) {
    this.end = start;
  }

  /** Takes the not-yet-captured bytes of `buf` (which begins at absolute offset `base`) that lie before `upTo`. */
  add(buf: Buffer, base: number, upTo: number): void {
    const from = Math.max(this.end, base);
    const to = Math.min(upTo, base + buf.length, this.start + this.bytes);
    if (to <= from) return;
    this.parts.push(Buffer.from(buf.subarray(from - base, to - base)));
    this.end = to;
  }

  /** The malformed-item text of the span [start, upTo). */
  text(upTo: number): string {
    const length = Math.max(0, Math.min(upTo, this.end) - this.start);
    if (length === 0) return '';
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    return malformedRaw(bytes.toString('utf8', 0, length));
  }
}
