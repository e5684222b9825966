import type { QuarantineItem, QuarantineKind } from './logRecord';

/**
 * Consecutive quarantine items of one object in a compact form for crossing from a decode worker to the main
 * thread. A file of junk lines sets aside an item per line; structured clone costs about as much per object and per
 * string as the scan of a short line, so the items travel as a few typed arrays and one string: their texts joined,
 * their reasons (nearly always few and repeated) each sent once.
 */
export interface QuarantineBatchMessage {
  type: 'quarantine';
  object: number;
  /** The object's name: every item of one object carries the same. */
  source: string;
  /** Per item: 1 for rejected, 0 for malformed. */
  rejected: Uint8Array;
  lines: Float64Array;
  /** Per item: its reason's index in `reasons`. */
  reasonRefs: Uint32Array;
  reasons: string[];
  /** Per item: the length (UTF-16 units) of its text in `raws`. */
  rawLengths: Uint32Array;
  /** The items' texts, one after the other. */
  raws: string;
}

/** A batch is taken once it holds this many items, or texts of this many characters. */
export const QUARANTINE_BATCH_ITEMS = 1024;
export const QUARANTINE_BATCH_CHARS = 1 << 20;

/** Worker side: collects one object's quarantine items and turns them into batch messages. */
export class QuarantineBatchWriter {
  private source = '';
  private rejected: number[] = [];
  private lines: number[] = [];
  private reasonRefs: number[] = [];
  private reasons: string[] = [];
  private reasonIndex = new Map<string, number>();
  private rawLengths: number[] = [];
  private raws: string[] = [];
  private chars = 0;

  get size(): number {
    return this.lines.length;
  }

  /** Adds an item (every item of a batch comes from one object); returns true when the batch is full and must be taken. */
  add(kind: QuarantineKind, item: QuarantineItem): boolean {
    this.source = item.source;
    this.rejected.push(kind === 'rejected' ? 1 : 0);
    this.lines.push(item.line);
    let ref = this.reasonIndex.get(item.reason);
    if (ref === undefined) {
      ref = this.reasons.length;
      this.reasons.push(item.reason);
      this.reasonIndex.set(item.reason, ref);
    }
    this.reasonRefs.push(ref);
    this.rawLengths.push(item.raw.length);
    this.raws.push(item.raw);
    this.chars += item.raw.length;
    return this.lines.length >= QUARANTINE_BATCH_ITEMS || this.chars >= QUARANTINE_BATCH_CHARS;
  }

  /** The batch so far as a message; the writer starts a new one. */
  take(object: number): QuarantineBatchMessage {
    const message: QuarantineBatchMessage = {
      type: 'quarantine',
      object,
      source: this.source,
      rejected: Uint8Array.from(this.rejected),
      lines: Float64Array.from(this.lines),
      reasonRefs: Uint32Array.from(this.reasonRefs),
      reasons: this.reasons,
      rawLengths: Uint32Array.from(this.rawLengths),
      raws: this.raws.join(''),
    };
    this.rejected = [];
    this.lines = [];
    this.reasonRefs = [];
    this.reasons = [];
    this.reasonIndex = new Map();
    this.rawLengths = [];
    this.raws = [];
    this.chars = 0;
    return message;
  }
}

/** Main-thread side: the items of a batch message, in order. */
export function readQuarantineBatch(message: QuarantineBatchMessage, each: (kind: QuarantineKind, item: QuarantineItem) => void): void {
  const { source, rejected, lines, reasonRefs, reasons, rawLengths, raws } = message;
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    const end = at + rawLengths[i];
    each(rejected[i] === 1 ? 'rejected' : 'malformed', { source, line: lines[i], reason: reasons[reasonRefs[i]], raw: raws.slice(at, end) });
    at = end;
  }
}
