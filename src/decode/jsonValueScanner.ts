import { JsonGrammarWalk } from './jsonGrammarWalk';
import { CLOSE_BRACE, CR, END_OF_INPUT_MESSAGE, IN_NUMBER, LF, OPEN_BRACE, QUOTE, SKIP_LINE, SPACE, TAB, TOP, numberMayEnd } from './jsonSyntax';
import { NOT_JSON } from './jsonBytes';
import { RAW_CAPTURE_BYTES, RawCapture, malformedRaw } from './rawText';

/** Receives the scanner's items in input order. */
export interface ScanHandler {
  /** A well-formed item — a top-level value or an element of a top-level array — with its exact source text. */
  value(value: unknown, text: string, line: number): void;
  /** A span that is not well-formed JSON: where it starts, why, and its text cut for quarantine. */
  malformed(line: number, message: string, raw: string): void;
  /**
   * Optional fast path, offered every item that starts with '{', with `limit`: the index of the last double quote
   * in buf. It may read buf up to and including `limit`, and may take the item itself if the item holds no line
   * feed (lines are counted here): it then returns the index just past the item, which must be where the JSON
   * grammar ends it. Otherwise it returns NOT_JSON (no complete well-formed object on this line before `limit`) or
   * any other negative number (read it the usual way).
   */
  fastObject?(buf: Buffer, start: number, limit: number, line: number): number;
}

const EMPTY = Buffer.alloc(0);
/** Longer lines skip the one-JSON.parse fast path; a failed parse of a huge line would cost a second full pass. */
const FAST_PATH_MAX_LINE = 1 << 20;

/** Bounds on one item: past either, the item is skipped by scanning (never made a string) and reported malformed. */
export interface ItemLimits {
  /** Most bytes of one item (default DEFAULT_MAX_ITEM_BYTES). */
  maxItemBytes?: number;
  /** Most object keys in one item, counted at every depth (default DEFAULT_MAX_ITEM_KEYS). */
  maxItemKeys?: number;
}

/** Well below V8's longest string (0x1fffffe8 UTF-16 units), and far above any real log record. */
export const DEFAULT_MAX_ITEM_BYTES = 16 << 20;
/** Far above any real log record; a record with millions of keys takes V8 seconds to minutes to build. */
export const DEFAULT_MAX_ITEM_KEYS = 10_000;
/** No JSON object text this short can hold more than maxItemKeys keys: each key takes at least `"":` (3 bytes). */
const BYTES_PER_KEY_AT_LEAST = 3;

/** The malformed reasons of items past the limits. */
export function tooLargeMessage(maxItemBytes: number): string {
  return `too_large: item longer than ${maxItemBytes} bytes`;
}
export function tooManyKeysMessage(maxItemKeys: number): string {
  return `too_many_keys: item with more than ${maxItemKeys} keys`;
}

/** An item past the limits, being skipped: its first bytes for the quarantine and why. */
interface OversizeItem {
  capture: RawCapture;
  message: string;
}

interface LineSkip {
  capture: RawCapture;
  line: number;
  message: string;
  backToArray: boolean;
}

/**
 * Incremental, Buffer-level splitter of a byte stream into JSON items: NDJSON, back-to-back values (`}{`),
 * pretty-printed values and top-level arrays (flattened one level), in any mix. Lines that hold exactly one object
 * are found with indexOf and parsed with one JSON.parse; everything else goes through a byte-level grammar check
 * that pins a syntax error to its byte, so recovery can resume at a line start (see `recover`).
 * Only the unfinished item's bytes are kept between chunks, as views of the chunks that hold them.
 */
export class JsonValueScanner extends JsonGrammarWalk {
  private arrayHead: RawCapture | null = null;
  private carry: Buffer[] = []; // bytes of the unfinished item from earlier chunks, starting at carryStart
  private carryStart = 0;
  private skip: LineSkip | null = null;
  private nextLf = -2; // cached index of the next LF in buf (-1: none left, -2: unknown)
  private lastQuote = -2; // cached index of the last '"' in buf (-1: none, -2: unknown)
  private nextBrace = -2; // cached index of the next '{' in buf at or after the last search (-1: none, -2: unknown)
  private fastOffUntil = -1; // absolute offset before which the fast path already failed
  private byteBeforeBuf = LF; // the byte just before buf[0] (the previous chunk's last byte)
  private leading: Buffer | null = EMPTY; // first bytes, held until it is known whether they are a BOM
  private ended = false;
  private oversize: OversizeItem | null = null;
  private rawBytes = RAW_CAPTURE_BYTES; // bytes of each bad span kept for its quarantine text
  private readonly maxItemBytes: number;
  /** Items longer than this may hold more than maxItemKeys keys, so they are never parsed without the walk. */
  private readonly keySafeLength: number;

  constructor(private readonly handler: ScanHandler, limits: ItemLimits = {}) {
    super();
    this.maxItemBytes = limits.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
    this.maxItemKeys = limits.maxItemKeys ?? DEFAULT_MAX_ITEM_KEYS;
    this.keySafeLength = Math.min(this.maxItemBytes, this.maxItemKeys * BYTES_PER_KEY_AT_LEAST);
  }

  /**
   * From now on malformed spans are reported with an empty text: their handler only counts them. Copying and
   * decoding each span's first bytes is most of the cost of a bad line when the lines are short.
   */
  dropMalformedText(): void {
    this.rawBytes = 0;
  }

  /** Longest item the fast paths may take whole: shorter ones are within both limits. */
  get fastItemLimit(): number {
    return this.keySafeLength;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0 || this.ended) return;
    let start = 0;
    if (this.leading !== null) {
      const head = this.leading.length === 0 ? chunk : Buffer.concat([this.leading, chunk]);
      if (head.length < 3 && isBomPrefix(head)) {
        this.leading = head;
        return;
      }
      this.leading = null;
      chunk = head;
      if (isBomPrefix(head)) start = 3;
    }
    this.feed(chunk, start);
  }

  /** Input is over. `truncation` (e.g. a gzip error) replaces "unexpected end of input" and is reported even when
   *  no value was cut off, so the cause always reaches the quarantine. */
  end(truncation?: string): void {
    if (this.ended) return;
    if (this.leading !== null && this.leading.length > 0) this.feed(this.leading, 0);
    this.leading = null;
    this.ended = true;
    const endAbs = this.base + this.buf.length;
    const message = truncation ?? END_OF_INPUT_MESSAGE;
    if (this.state === SKIP_LINE) {
      const skip = this.skip as LineSkip;
      this.skip = null;
      this.handler.malformed(skip.line, skip.message, skip.capture.text(endAbs));
      this.restart(skip.backToArray);
    }
    if (this.state === IN_NUMBER && numberMayEnd(this.numState)) this.state = this.afterValue(this.buf.length);
    if (this.inItem && this.inBom()) {
      // Input ended inside a byte order mark: its bytes are a bad character, whatever else is said about the end.
      this.inItem = false;
      this.state = TOP;
      this.handler.malformed(this.itemLine, this.bomCutShortMessage(), this.captureRetained(this.itemStart, endAbs).text(endAbs));
    }
    if (this.inItem && this.lineBraceStart >= 0 && (this.oversize === null || this.retained(this.lineBraceStart))) {
      // A line cut short took the lines after it in (see recover): the lines before the last that opens with '{'
      // are malformed; that one is read again (it holds no such line of its own, so this recurses once).
      const resumeAt = this.lineBraceStart;
      const backToArray = this.inArray && this.oversize === null;
      this.inItem = false;
      if (this.oversize !== null) {
        this.leaveArray();
        this.reportOversize(resumeAt);
      } else {
        this.handler.malformed(this.itemLine, END_OF_INPUT_MESSAGE, this.captureRetained(this.itemStart, resumeAt).text(resumeAt));
      }
      this.readAgainFrom({ start: resumeAt, line: this.lineBraceLine });
      this.restart(backToArray);
      this.ended = false;
      this.run();
      this.end(truncation);
      return;
    }
    if (this.inItem && this.oversize !== null) {
      this.inItem = false;
      this.reportOversize(endAbs);
    } else if (this.inItem) {
      this.handler.malformed(this.itemLine, message, this.captureRetained(this.itemStart, endAbs).text(endAbs));
    } else if (this.inArray) {
      const head = this.arrayHead as RawCapture;
      head.add(this.buf, this.base, endAbs);
      this.handler.malformed(this.arrayLine, message, head.text(endAbs));
    } else if (truncation !== undefined) {
      this.handler.malformed(this.line, truncation, '');
    }
    this.carry = [];
    this.buf = EMPTY;
  }

  private feed(chunk: Buffer, start: number): void {
    if (this.buf.length > 0) this.byteBeforeBuf = this.buf[this.buf.length - 1];
    this.carryUnfinishedItem();
    this.base += this.buf.length;
    this.buf = chunk;
    this.pos = start;
    this.nextLf = -2;
    this.lastQuote = -2;
    this.nextBrace = -2;
    this.run();
    if (this.arrayHead !== null) this.arrayHead.add(this.buf, this.base, this.base + this.buf.length);
  }

  /** Before the current buffer is replaced: keep (as a view) its part of an item that is still open. */
  private carryUnfinishedItem(): void {
    // A byte order mark is read as an item only to carry its bytes across buffers: it is never too large.
    if (this.inItem && this.oversize === null && !this.inBom() && this.base + this.buf.length - this.itemStart > this.maxItemBytes) {
      this.startOversize(tooLargeMessage(this.maxItemBytes));
    }
    if (this.oversize !== null) this.oversize.capture.add(this.buf, this.base, this.base + this.buf.length);
    if (this.inItem && this.oversize !== null) {
      this.carryBraceTail();
    } else if (!this.inItem) {
      this.carry.length = 0;
    } else if (this.carry.length === 0) {
      this.carryStart = this.itemStart;
      this.carry.push(this.itemStart > this.base ? this.buf.subarray(this.itemStart - this.base) : this.buf);
    } else {
      this.carry.push(this.buf);
    }
  }

  /**
   * An item past a limit keeps no bytes, but those from the line that opens with '{' where recover or end would read
   * again (see recover): a line cut short took it in, and whether the item went past the limit before the error
   * (at a chunk boundary, for --max-item-bytes) must not decide whether that line's record is read. Kept only while
   * they are within --max-item-bytes.
   */
  private carryBraceTail(): void {
    this.trimToBraceTail();
    const from = this.carry.length > 0 ? this.carryStart : this.braceTailStart();
    if (from >= this.base && from < this.base + this.buf.length && this.base + this.buf.length - from <= this.maxItemBytes) {
      if (this.carry.length === 0) this.carryStart = from;
      this.carry.push(from > this.base ? this.buf.subarray(from - this.base) : this.buf);
    } else if (this.carry.length > 0 && this.base + this.buf.length - from <= this.maxItemBytes) {
      this.carry.push(this.buf);
    } else {
      this.carry = [];
    }
  }

  /**
   * Where an item past a limit keeps its bytes from (-1: nowhere): the line before the last that opens with '{'
   * (recover reads again from there when the error is on the last), else the last, when within --max-item-bytes.
   */
  private braceTailStart(): number {
    const end = this.base + this.buf.length;
    return this.prevLineBraceStart >= 0 && end - this.prevLineBraceStart <= this.maxItemBytes ? this.prevLineBraceStart : this.lineBraceStart;
  }

  /** Drops the carried bytes before braceTailStart(), or all when they do not reach back to it. */
  private trimToBraceTail(): void {
    const from = this.braceTailStart();
    if (this.carry.length > 0 && from === this.carryStart) return; // already (a chunk each time: no walk of the pieces)
    if (this.carry.length === 0 || from < 0 || from < this.carryStart) {
      this.carry = [];
      return;
    }
    const kept: Buffer[] = [];
    let pieceBase = this.carryStart;
    for (const piece of this.carry) {
      const pieceEnd = pieceBase + piece.length;
      if (pieceEnd > from) kept.push(pieceBase >= from ? piece : piece.subarray(from - pieceBase));
      pieceBase = pieceEnd;
    }
    this.carry = kept;
    if (kept.length > 0) this.carryStart = from;
  }

  /**
   * After an error on `errLine` in an item that started on an earlier line: the last line before it that opens with
   * '{' (JsonGrammarWalk.lineBraceStart), where a line cut short took the lines after it in; undefined when none.
   */
  private lineToReadAgain(errLine: number): { start: number; line: number } | undefined {
    const latest = this.lineBraceLine < errLine;
    const start = latest ? this.lineBraceStart : this.prevLineBraceStart;
    return start < 0 ? undefined : { start, line: latest ? this.lineBraceLine : this.prevLineBraceLine };
  }

  /** Reads on from the start of a line inside the bytes held (lineToReadAgain), numbering lines from it. */
  private readAgainFrom({ start, line }: { start: number; line: number }): void {
    this.rewindTo(start);
    this.line = line;
    this.lineStart = start;
  }

  /** Whether the bytes from absolute offset `abs` on are still here to read again. */
  private retained(abs: number): boolean {
    return abs >= this.base || (this.carry.length > 0 && abs >= this.carryStart);
  }

  private run(): void {
    while (this.pos < this.buf.length) {
      const state = this.state;
      if (state === TOP) {
        if (!this.fastLine()) this.scan();
      } else if (state === SKIP_LINE) {
        this.skipLine();
      } else {
        this.scan();
      }
    }
  }

  /**
   * The common cases: the next item is an object on this line (the handler's fastObject may read it), or the rest of
   * the line is one object (one JSON.parse). Returns false, having changed nothing, when neither applies.
   */
  private fastLine(): boolean {
    const buf = this.buf;
    const pos = this.pos;
    let s = pos;
    while (s < buf.length && isBlank(buf[s])) s++;
    if (s === buf.length) return false;
    if (buf[s] === LF) return this.nextLine(s);
    if (buf[s] !== OPEN_BRACE) return false;
    const fastObject = this.handler.fastObject;
    if (fastObject !== undefined) {
      if (this.lastQuote === -2) this.lastQuote = buf.lastIndexOf(QUOTE);
      const limit = this.lastQuote;
      if (limit > s) {
        const end = fastObject.call(this.handler, buf, s, limit, this.line);
        if (end >= 0) {
          this.pos = end;
          return true;
        }
        if (end === NOT_JSON) return false;
      }
    }
    let lf = this.nextLf;
    if (lf < pos && lf !== -1) {
      lf = buf.indexOf(LF, pos);
      this.nextLf = lf;
    }
    if (lf === -1 || this.base + pos < this.fastOffUntil || lf - pos > Math.min(FAST_PATH_MAX_LINE, this.keySafeLength)) return false;
    let e = lf - 1;
    while (isBlank(buf[e])) e--;
    if (buf[e] !== CLOSE_BRACE) return false;
    const text = buf.toString('utf8', s, e + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.fastOffUntil = this.base + lf;
      return false;
    }
    this.handler.value(value, text, this.line);
    return this.nextLine(lf);
  }

  private nextLine(lf: number): true {
    this.pos = lf + 1;
    this.line++;
    this.lineStart = this.base + lf + 1;
    return true;
  }

  protected override bomSkipped(): void {
    this.carry = [];
  }

  protected override emitItem(end: number): void {
    this.inItem = false;
    if (this.oversize === null && this.base + end - this.itemStart > this.maxItemBytes) this.startOversize(tooLargeMessage(this.maxItemBytes));
    if (this.oversize !== null) {
      this.carry = [];
      return this.reportOversize(this.base + end);
    }
    let text: string;
    if (this.carry.length === 0) {
      text = this.buf.toString('utf8', this.itemStart - this.base, end);
    } else {
      this.carry.push(this.buf.subarray(0, end));
      text = Buffer.concat(this.carry).toString('utf8');
      this.carry = [];
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // The walk checks the same grammar, so this is a scanner defect; the item still reaches the quarantine.
      this.handler.malformed(this.itemLine, `${(err as Error).message} at line ${this.itemLine}`, malformedRaw(text));
      return;
    }
    this.handler.value(value, text, this.itemLine);
  }

  /**
   * Syntax error at local index `at`. The bad span starts at the unfinished item (else at the open top-level array,
   * else at the offending byte). If the error's line began after the span did, the span ends with the line before
   * and the error line is read again (a truncated line followed by a good one loses only the truncated line);
   * otherwise the span runs on to the next `}{` boundary or line start (see skipLine). After a bad element of an
   * array that spans lines, reading continues inside the array.
   */
  protected override recover(at: number, message: string): void {
    const errAbs = this.base + at;
    const errLine = this.line;
    if (this.inItem && this.oversize !== null) {
      // Its bytes are gone. When the error's line began after the item did, that line is read again, as after any
      // item cut short: from its start when this chunk holds it, else (its start went with an earlier chunk) from
      // the offending byte. On the item's own line, the rest of the line (to a `}{` boundary) is the oversize
      // item's too: read from the offending byte, an object nested in the bad item would count as a record.
      this.inItem = false;
      this.leaveArray();
      if (this.itemLine < errLine) {
        // A line cut short may have taken the lines after it in, as below: read again from the last line before
        // the error's that opens with '{', when its bytes were kept (carryBraceTail).
        const again = this.lineToReadAgain(errLine);
        if (again !== undefined && this.retained(again.start)) {
          this.reportOversize(again.start);
          this.readAgainFrom(again);
          this.restart(false);
          return;
        }
        const resumeAt = this.lineStart >= this.base ? this.lineStart : errAbs;
        this.reportOversize(resumeAt);
        if (resumeAt === errAbs) {
          this.pos = at;
          this.carry = [];
        } else {
          this.rewindTo(resumeAt);
        }
        this.restart(false);
      } else {
        const { capture, message } = this.oversize;
        this.oversize = null;
        this.startSkip(capture, this.itemLine, message, false, at);
      }
      return;
    }
    if (this.arrayHead !== null) this.arrayHead.add(this.buf, this.base, errAbs);
    if (this.inItem) {
      this.inItem = false;
      const backToArray = this.inArray && this.arrayLine < errLine;
      if (!backToArray) this.leaveArray();
      if (this.itemLine < errLine) {
        // A line cut right after ':' (or '[', ',' in an array) takes the next line in as a value, and the error
        // only shows on a later line: read again from the last line before the error's that opens with '{'.
        const again = this.lineToReadAgain(errLine);
        const resumeAt = again?.start ?? this.lineStart;
        this.handler.malformed(this.itemLine, message, this.captureRetained(this.itemStart, resumeAt).text(resumeAt));
        if (again !== undefined) this.readAgainFrom(again);
        else this.rewindTo(resumeAt);
        this.restart(backToArray);
      } else {
        this.startSkip(this.captureRetained(this.itemStart, errAbs), this.itemLine, message, backToArray, at);
      }
    } else if (this.inArray) {
      const head = this.arrayHead as RawCapture;
      const arrayLine = this.arrayLine;
      this.leaveArray();
      if (arrayLine < errLine) {
        // Before the offending byte its line holds only blanks, commas or finished elements: resume at that byte.
        this.handler.malformed(arrayLine, message, head.text(errAbs));
        this.pos = at;
        this.restart(false);
      } else {
        this.startSkip(head, arrayLine, message, false, at);
      }
    } else {
      this.startSkip(new RawCapture(errAbs, this.rawBytes), errLine, message, false, at);
    }
  }

  private startSkip(capture: RawCapture, line: number, message: string, backToArray: boolean, at: number): void {
    this.skip = { capture, line, message, backToArray };
    this.carry = [];
    this.depth = 0;
    this.state = SKIP_LINE;
    this.pos = at;
  }

  /**
   * Discards bytes up to the next place a value plausibly starts, then reports the bad span: the '{' of the next
   * `}{` (Firehose writes records back to back with no line break, so one bad byte must not cost the rest of the
   * object) or the start of the next line, whichever comes first.
   */
  private skipLine(): void {
    const skip = this.skip as LineSkip;
    const buf = this.buf;
    const lf = buf.indexOf(LF, this.pos);
    const stop = lf === -1 ? buf.length : lf;
    // The search for '{' runs past the line end (indexOf has no end bound), so its result is kept for the lines
    // after: without that, a chunk of short bad lines and no '{' is scanned to its end once per line.
    let brace = this.nextBrace;
    if (brace < this.pos && brace !== -1) brace = buf.indexOf(OPEN_BRACE, this.pos);
    while (brace !== -1 && brace < stop && (brace === 0 ? this.byteBeforeBuf : buf[brace - 1]) !== CLOSE_BRACE) {
      brace = buf.indexOf(OPEN_BRACE, brace + 1);
    }
    this.nextBrace = brace;
    if (brace !== -1 && brace < stop) {
      skip.capture.add(buf, this.base, this.base + brace);
      this.pos = brace;
      this.skip = null;
      this.handler.malformed(skip.line, skip.message, skip.capture.text(this.base + brace));
      this.restart(skip.backToArray);
      return;
    }
    const end = lf === -1 ? buf.length : lf + 1;
    skip.capture.add(buf, this.base, this.base + end);
    this.pos = end;
    if (lf === -1) return;
    this.line++;
    this.lineStart = this.base + end;
    this.skip = null;
    this.handler.malformed(skip.line, skip.message, skip.capture.text(this.base + end));
    this.restart(skip.backToArray);
  }

  protected override keysExceeded(): void {
    this.startOversize(tooManyKeysMessage(this.maxItemKeys));
  }

  /** From now on the current item's bytes are scanned, not kept: only its first bytes, for the quarantine. */
  private startOversize(message: string): void {
    const capture = this.captureRetained(this.itemStart, this.base + this.buf.length);
    this.oversize = { capture, message };
    this.trimToBraceTail();
  }

  /** The skipped item ended just before absolute offset `endAbs`. */
  private reportOversize(endAbs: number): void {
    const { capture, message } = this.oversize as OversizeItem;
    this.oversize = null;
    capture.add(this.buf, this.base, endAbs);
    this.handler.malformed(this.itemLine, message, capture.text(endAbs));
  }

  protected override arrayOpened(): void {
    this.arrayHead = new RawCapture(this.arrayStart, this.rawBytes);
  }

  protected override leaveArray(): void {
    this.inArray = false;
    this.arrayHead = null;
  }

  /** Continue reading at absolute offset `abs`, which lies in the current buffer or in the carried item bytes. */
  private rewindTo(abs: number): void {
    if (abs >= this.base) {
      this.pos = abs - this.base;
    } else {
      this.carry.push(this.buf);
      this.buf = Buffer.concat(this.carry).subarray(abs - this.carryStart);
      this.base = abs;
      this.pos = 0;
      this.byteBeforeBuf = LF; // `abs` is always a line start
    }
    this.carry = [];
    this.nextLf = -2;
    this.lastQuote = -2;
    this.nextBrace = -2;
  }

  /** Captures [from, upTo) from the carried bytes and the current buffer. */
  private captureRetained(from: number, upTo: number): RawCapture {
    const capture = new RawCapture(from, this.rawBytes);
    let pieceBase = this.carryStart;
    for (const piece of this.carry) {
      capture.add(piece, pieceBase, upTo);
      pieceBase += piece.length;
    }
    capture.add(this.buf, this.base, upTo);
    return capture;
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

function isBomPrefix(head: Buffer): boolean {
  return head[0] === 0xef && (head.length < 2 || head[1] === 0xbb) && (head.length < 3 || head[2] === 0xbf);
}
