/**
 * Test oracle: a deliberately plain decoder with the same contract as decodeStream, written independently of the
 * streaming scanner. Whole input in memory, gunzipSync, one decoded string, recursive descent with exceptions.
 * It shares only the per-item record rules (decodeItem), which have their own hand-worked tests.
 *
 * Recovery rules it implements (the contract decodeStream must match):
 * - the bad span starts at the unfinished item; else, inside a top-level array, at the array's '['; else at the
 *   offending character;
 * - item errors: if the error's line began after the item did, the span ends before that line and the line is read
 *   again, or, when a line between them opens with '{' (a line cut short took it in as a value), before the last
 *   such line, read again from there; the same when input ends inside an item with such a line; otherwise the span runs to the next plausible value start: the '{' of the first `}{` whose '{' is at or
 *   after the offending character, or the start of the next line, whichever comes first;
 * - array-level errors: if the array began on an earlier line, the span ends at the offending character and reading
 *   resumes there at top level; otherwise the span runs to the next plausible value start, as above;
 * - after a bad element, reading stays inside the array (accepting stray commas) if the array began on an earlier
 *   line than the error, else returns to top level;
 * - raw text: span cut at QUARANTINE_RAW_LIMIT UTF-16 units, then trailing blanks/line ends removed.
 */
import { constants, gunzipSync } from 'node:zlib';
import { type DecodeOptions, type DecodeStats, decodeItem } from '../../../src/decode/decodeStream';
import { type LogRecord, QUARANTINE_RAW_LIMIT, type QuarantineItem, type QuarantineKind } from '../../../src/decode/logRecord';
import { isRejection } from '../../../src/decode/normalize';

export interface ReferenceResult {
  records: LogRecord[];
  quarantine: Array<{ kind: QuarantineKind; item: QuarantineItem }>;
  stats: DecodeStats;
}

/** A syntax error: `at` is the offending character's index, or -1 at end of input. */
class Fault {
  constructor(readonly at: number, readonly message: string, readonly line: number, readonly lineStart: number) {}
}

export function referenceDecode(bytes: Buffer, options: DecodeOptions): ReferenceResult {
  let gzipError: string | null = null;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const { buffer, engine } = gunzipSync(bytes, { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      // gunzip stops at a zero byte after a member: non-zero bytes past it are reported, zero padding is not.
      let last = bytes.length;
      while (last > 0 && bytes[last - 1] === 0) last--;
      if (engine.bytesWritten < last) gzipError = 'data after the end of the gzip stream';
      bytes = buffer;
    } catch (err) {
      // Only cut-off gzip is supported here: a sync flush returns everything before the cut.
      gzipError = (err as Error).message;
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    }
  }
  const result: ReferenceResult = { records: [], quarantine: [], stats: { values: 0, records: 0, malformed: 0, rejected: 0 } };
  const onValue = (text: string, line: number): void => {
    result.stats.values++;
    const decoded = decodeItem(JSON.parse(text), options.defaultTenant);
    if (isRejection(decoded)) {
      result.stats.rejected++;
      result.quarantine.push({ kind: 'rejected', item: { source: options.source, line, reason: decoded.reason, raw: text.slice(0, QUARANTINE_RAW_LIMIT) } });
    } else {
      result.stats.records++;
      result.records.push(decoded);
    }
  };
  const onMalformed = (line: number, message: string, raw: string): void => {
    result.stats.malformed++;
    const cut = raw.slice(0, QUARANTINE_RAW_LIMIT).replace(/[ \t\r\n]+$/, '');
    result.quarantine.push({ kind: 'malformed', item: { source: options.source, line, reason: `malformed: ${message}`, raw: cut } });
  };
  new ReferenceParser(bytes.toString('utf8'), onValue, onMalformed, gzipError === null ? null : `gzip: ${gzipError}`).run();
  return result;
}

class ReferenceParser {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private readonly n: number;

  constructor(
    private readonly s: string,
    private readonly onValue: (text: string, line: number) => void,
    private readonly onMalformed: (line: number, message: string, raw: string) => void,
    private readonly truncation: string | null,
  ) {
    this.n = s.length;
    if (s.startsWith('\ufeff')) this.pos = this.lineStart = 1;
  }

  run(): void {
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.n) break;
      // A byte order mark between top-level values (files joined with cat, or gzip members) is skipped.
      if (this.s[this.pos] === '\ufeff') {
        this.pos++;
        continue;
      }
      const outcome = this.s[this.pos] === '[' ? this.topArray() : this.item(false, 0);
      if (outcome === 'eof') return;
    }
    if (this.truncation !== null) this.onMalformed(this.line, this.truncation, '');
  }

  private eofMessage(): string {
    return this.truncation ?? 'unexpected end of input';
  }

  /** One item starting at pos. Returns 'eof' when input ended inside it (already reported). */
  private item(inArray: boolean, arrayLine: number): 'ok' | 'eof' | 'back-to-array' | 'top' {
    const start = this.pos;
    const startLine = this.line;
    if (!inArray && !isValueStart(this.s[start])) {
      const fault = new Fault(start, `expected a JSON value, found ${describe(this.s.charCodeAt(start))} at line ${this.line}`, this.line, this.lineStart);
      return this.recoverItem(fault, start, startLine, false);
    }
    try {
      this.value('expected a JSON value');
    } catch (err) {
      if (!(err instanceof Fault)) throw err;
      if (err.at < 0) {
        const cut = this.lineOpeningWithBrace(start, this.n);
        if (cut !== -1) {
          this.onMalformed(startLine, 'unexpected end of input', this.s.slice(start, cut));
          this.resumeAtLine(cut);
          return inArray ? 'back-to-array' : 'top';
        }
        this.onMalformed(startLine, this.eofMessage(), this.s.slice(start));
        return 'eof';
      }
      return this.recoverItem(err, start, startLine, inArray && arrayLine < err.line);
    }
    this.onValue(this.s.slice(start, this.pos), startLine);
    return 'ok';
  }

  private recoverItem(fault: Fault, start: number, startLine: number, backToArray: boolean): 'back-to-array' | 'top' | 'eof' {
    if (startLine < fault.line) {
      const cut = this.lineOpeningWithBrace(start, fault.lineStart);
      if (cut !== -1) {
        this.onMalformed(startLine, fault.message, this.s.slice(start, cut));
        this.resumeAtLine(cut);
        return backToArray ? 'back-to-array' : 'top';
      }
      this.onMalformed(startLine, fault.message, this.s.slice(start, fault.lineStart));
      this.pos = fault.lineStart;
      this.line = fault.line;
      this.lineStart = fault.lineStart;
    } else {
      this.skipRestOfLine(fault, start, startLine);
    }
    return backToArray ? 'back-to-array' : 'top';
  }

  /** The start of the last line in (start, end) that opens with '{', else -1. A raw line break is never inside a
   *  string that parsed, so such a '{' opened a value of the item. */
  private lineOpeningWithBrace(start: number, end: number): number {
    if (end - 2 < start) return -1;
    const at = this.s.lastIndexOf('\n{', end - 2);
    return at >= start ? at + 1 : -1;
  }

  /** Continue reading at `at`, the start of a line: its number counted from the input's start. */
  private resumeAtLine(at: number): void {
    let line = 1;
    for (let i = this.s.indexOf('\n'); i !== -1 && i < at; i = this.s.indexOf('\n', i + 1)) line++;
    this.pos = at;
    this.line = line;
    this.lineStart = at;
  }

  /** Reports [start, next value start) and continues there: the '{' of the first `}{` at or after the fault, or
   *  the start of the next line, whichever comes first. */
  private skipRestOfLine(fault: Fault, start: number, reportLine: number): void {
    const lf = this.s.indexOf('\n', fault.at);
    const boundary = this.s.indexOf('}{', Math.max(0, fault.at - 1));
    if (boundary !== -1 && (lf === -1 || boundary < lf)) {
      this.onMalformed(reportLine, fault.message, this.s.slice(start, boundary + 1));
      this.pos = boundary + 1;
      this.line = fault.line;
      this.lineStart = fault.lineStart;
      return;
    }
    const end = lf === -1 ? this.n : lf + 1;
    this.onMalformed(reportLine, fault.message, this.s.slice(start, end));
    this.pos = end;
    this.line = fault.line;
    if (lf !== -1) {
      this.line++;
      this.lineStart = end;
    }
  }

  private topArray(): 'ok' | 'eof' {
    const arrayStart = this.pos;
    const arrayLine = this.line;
    this.pos++;
    let expect: 'first' | 'value' | 'next' | 'lenient' = 'first';
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.n) {
        this.onMalformed(arrayLine, this.eofMessage(), this.s.slice(arrayStart));
        return 'eof';
      }
      const ch = this.s[this.pos];
      if (expect === 'next') {
        if (ch === ',') {
          this.pos++;
          expect = 'value';
          continue;
        }
        if (ch === ']') {
          this.pos++;
          return 'ok';
        }
        return this.arrayFault("expected ',' or ']'", arrayStart, arrayLine);
      }
      if (ch === ']' && (expect === 'first' || expect === 'lenient')) {
        this.pos++;
        return 'ok';
      }
      if (ch === ',' && expect === 'lenient') {
        this.pos++;
        continue;
      }
      if (!isValueStart(ch)) {
        const expectation = expect === 'first' ? "expected a value or ']'" : expect === 'value' ? 'expected a value' : "expected a value, ',' or ']'";
        return this.arrayFault(expectation, arrayStart, arrayLine);
      }
      const outcome = this.item(true, arrayLine);
      if (outcome === 'eof') return 'eof';
      if (outcome === 'top') return 'ok';
      expect = outcome === 'ok' ? 'next' : 'lenient';
    }
  }

  private arrayFault(expectation: string, arrayStart: number, arrayLine: number): 'ok' {
    const fault = new Fault(this.pos, `${expectation}, found ${describe(this.s.charCodeAt(this.pos))} at line ${this.line}`, this.line, this.lineStart);
    if (arrayLine < this.line) {
      this.onMalformed(arrayLine, fault.message, this.s.slice(arrayStart, this.pos));
    } else {
      this.skipRestOfLine(fault, arrayStart, arrayLine);
    }
    return 'ok';
  }

  // ---- grammar (throws Fault) ----

  private value(expectation: string): void {
    const ch = this.s[this.pos];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    if (ch === '-' || (ch >= '0' && ch <= '9')) return this.number();
    if (ch === 't') return this.literal('true');
    if (ch === 'f') return this.literal('false');
    if (ch === 'n') return this.literal('null');
    throw this.fault(expectation);
  }

  private object(): void {
    this.pos++;
    this.skipSpace();
    if (this.peek() === '}') {
      this.pos++;
      return;
    }
    let first = true;
    for (;;) {
      if (this.peek() !== '"') throw this.fault(first ? "expected a property name or '}'" : 'expected a property name');
      this.string();
      this.skipSpace();
      if (this.peek() !== ':') throw this.fault("expected ':'");
      this.pos++;
      this.skipSpace();
      this.needInput();
      this.value('expected a value');
      this.skipSpace();
      const ch = this.peek();
      if (ch === ',') {
        this.pos++;
        this.skipSpace();
        first = false;
        continue;
      }
      if (ch === '}') {
        this.pos++;
        return;
      }
      throw this.fault("expected ',' or '}'");
    }
  }

  private array(): void {
    this.pos++;
    this.skipSpace();
    if (this.peek() === ']') {
      this.pos++;
      return;
    }
    let first = true;
    for (;;) {
      this.needInput();
      this.value(first ? "expected a value or ']'" : 'expected a value');
      this.skipSpace();
      const ch = this.peek();
      if (ch === ',') {
        this.pos++;
        this.skipSpace();
        first = false;
        continue;
      }
      if (ch === ']') {
        this.pos++;
        return;
      }
      throw this.fault("expected ',' or ']'");
    }
  }

  private string(): void {
    this.pos++;
    for (;;) {
      this.needInput();
      const code = this.s.charCodeAt(this.pos);
      if (code === 0x22) {
        this.pos++;
        return;
      }
      if (code === 0x5c) {
        this.pos++;
        this.needInput();
        const esc = this.s[this.pos];
        if ('"\\/bfnrt'.includes(esc)) {
          this.pos++;
        } else if (esc === 'u') {
          this.pos++;
          for (let i = 0; i < 4; i++) {
            this.needInput();
            if (!/[0-9a-fA-F]/.test(this.s[this.pos])) throw this.fault('invalid \\u escape in a string');
            this.pos++;
          }
        } else {
          throw this.fault('invalid escape in a string');
        }
        continue;
      }
      if (code < 0x20) {
        const what = code === 0x0a ? 'line break inside a string' : `unescaped control character ${describe(code)} in a string`;
        throw new Fault(this.pos, `${what} at line ${this.line}`, this.line, this.lineStart);
      }
      this.pos++;
    }
  }

  private number(): void {
    if (this.s[this.pos] === '-') this.pos++;
    this.needInput();
    if (this.s[this.pos] === '0') this.pos++;
    else if (isDigitChar(this.s[this.pos])) this.digits();
    else throw this.fault('invalid number');
    // A number may end the input, so look without demanding more.
    if (this.s[this.pos] === '.') {
      this.pos++;
      this.needInput();
      if (!isDigitChar(this.s[this.pos])) throw this.fault('invalid number');
      this.digits();
    }
    if (this.s[this.pos] === 'e' || this.s[this.pos] === 'E') {
      this.pos++;
      this.needInput();
      if (this.s[this.pos] === '+' || this.s[this.pos] === '-') this.pos++;
      this.needInput();
      if (!isDigitChar(this.s[this.pos])) throw this.fault('invalid number');
      this.digits();
    }
  }

  private digits(): void {
    while (this.pos < this.n && isDigitChar(this.s[this.pos])) this.pos++;
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i++) {
      this.needInput();
      if (this.s[this.pos] !== word[i]) throw this.fault('invalid literal');
      this.pos++;
    }
  }

  // ---- helpers ----

  private skipSpace(): void {
    while (this.pos < this.n) {
      const ch = this.s[this.pos];
      if (ch === '\n') {
        this.line++;
        this.lineStart = this.pos + 1;
      } else if (ch !== ' ' && ch !== '\t' && ch !== '\r') {
        return;
      }
      this.pos++;
    }
  }

  private peek(): string | undefined {
    if (this.pos >= this.n) throw new Fault(-1, 'end', this.line, this.lineStart);
    return this.s[this.pos];
  }

  private needInput(): void {
    if (this.pos >= this.n) throw new Fault(-1, 'end', this.line, this.lineStart);
  }

  private fault(expectation: string): Fault {
    if (this.pos >= this.n) return new Fault(-1, 'end', this.line, this.lineStart);
    return new Fault(this.pos, `${expectation}, found ${describe(this.s.charCodeAt(this.pos))} at line ${this.line}`, this.line, this.lineStart);
  }
}

function isValueStart(ch: string | undefined): boolean {
  return ch !== undefined && (ch === '{' || ch === '[' || ch === '"' || ch === '-' || isDigitChar(ch) || ch === 't' || ch === 'f' || ch === 'n');
}

function isDigitChar(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function describe(code: number): string {
  if (code > 0x20 && code < 0x7f) return `'${String.fromCharCode(code)}'`;
  if (code < 0x80) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return 'a non-ASCII character';
}
