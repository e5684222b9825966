import {
  ARR_FIRST, ARR_LENIENT, ARR_NEXT, ARR_VALUE, BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, CR, DIGIT_0,
  IN_ESCAPE, IN_HEX, IN_LITERAL, IN_NUMBER, IN_STRING, LF, LITERAL_FALSE, LITERAL_NULL, LITERAL_TRUE, MINUS, N_INT,
  N_MINUS, N_ZERO, NUMBER_BAD, OBJ_COLON, OBJ_FIRST, OBJ_KEY, OBJ_NEXT, OBJ_VALUE, OPEN_BRACE, OPEN_BRACKET, QUOTE,
  SPACE, TAB, TOP, isDigit, isHexDigit, isSimpleEscape, numberStep, syntaxErrorMessage,
} from './jsonSyntax';

const OBJECT = 1;
const ARRAY = 2;

/**
 * The UTF-8 byte order mark, read like a literal where a top-level value may start: files that each begin with one,
 * joined with `cat` or as gzip members, put one between values. It is skipped, not an item; inside a top-level array,
 * or cut short, it is a bad character as any other.
 */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Byte-level walk of the JSON grammar over a stream of buffers, tracking string/escape state, the container stack
 * and the token expected next, so a syntax error is pinned to the byte where it occurs. It knows which values are
 * items (top-level values and elements of a top-level array) and where they start; what to do with a finished item,
 * a top-level array and a syntax error is left to the subclass.
 */
export abstract class JsonGrammarWalk {
  protected buf: Buffer = Buffer.alloc(0);
  protected base = 0; // absolute offset of buf[0]
  protected pos = 0;
  protected line = 1;
  protected lineStart = 0; // absolute offset where `line` begins (used to re-read a line, never line 1)
  protected state = TOP;
  protected depth = 0;
  protected numState = N_MINUS;
  protected inArray = false; // inside a top-level array, whose elements are the items
  protected arrayStart = 0;
  protected arrayLine = 0;
  protected inItem = false;
  protected itemStart = 0;
  protected itemLine = 0;
  /**
   * Inside the current item, the last '{' that opens a line after the item's first line (-1: none), and the one
   * before it: where an item that a line cut short (`{"a":` then a line break) took the next lines into is read
   * again from. The last such line before the error, not the first: a run of cut lines then costs one re-read, not
   * one per line (which was quadratic in the run's length).
   */
  protected lineBraceStart = -1;
  protected lineBraceLine = 0;
  protected prevLineBraceStart = -1;
  protected prevLineBraceLine = 0;
  /** Object keys read so far in the current item, at any depth. */
  protected itemKeys = 0;
  /** Past this many keys in one item, keysExceeded() is called (once per item). */
  protected maxItemKeys = Number.POSITIVE_INFINITY;
  private stack = new Uint8Array(32);
  private stringIsKey = false;
  private hexLeft = 0;
  private literal: Buffer = LITERAL_NULL;
  private literalIndex = 0;

  /** An item ended just before local index `end`. */
  protected abstract emitItem(end: number): void;
  /** A syntax error at local index `at`; must leave state, pos (and buf) where reading continues. */
  protected abstract recover(at: number, message: string): void;
  /** A top-level array opened at arrayStart. */
  protected abstract arrayOpened(): void;
  /** The top-level array is closed or abandoned. */
  protected abstract leaveArray(): void;
  /** The current item has just passed maxItemKeys keys; the walk goes on to find where it ends. */
  protected abstract keysExceeded(): void;

  /** Byte-level grammar walk. Returns at the end of the buffer, after a top-level item, or after a syntax error. */
  protected scan(): void {
    const buf = this.buf;
    const len = buf.length;
    let pos = this.pos;
    let state = this.state;
    let next: number;
    while (pos < len) {
      let c = buf[pos];
      if (state < IN_STRING) {
        if (c === SPACE || c === TAB || c === CR) {
          pos++;
          continue;
        }
        if (c === LF) {
          pos++;
          this.line++;
          this.lineStart = this.base + pos;
          if (state === TOP) break; // let the fast path look at the next line
          continue;
        }
      }
      switch (state) {
        case IN_STRING:
          while (c >= SPACE && c !== QUOTE && c !== BACKSLASH) {
            if (++pos === len) {
              this.pos = pos;
              this.state = state;
              return;
            }
            c = buf[pos];
          }
          if (c === BACKSLASH) {
            state = IN_ESCAPE;
          } else if (c === QUOTE) {
            if (this.stringIsKey) {
              state = OBJ_COLON;
            } else {
              state = this.afterValue(pos + 1);
            }
          } else {
            return this.fail(pos, state, c);
          }
          pos++;
          break;
        case IN_ESCAPE:
          if (isSimpleEscape(c)) state = IN_STRING;
          else if (c === 0x75) (this.hexLeft = 4), (state = IN_HEX);
          else return this.fail(pos, state, c);
          pos++;
          break;
        case IN_HEX:
          if (!isHexDigit(c)) return this.fail(pos, state, c);
          if (--this.hexLeft === 0) state = IN_STRING;
          pos++;
          break;
        case IN_NUMBER:
          next = numberStep(this.numState, c);
          if (next >= 0) {
            this.numState = next;
            pos++;
          } else if (next === NUMBER_BAD) {
            return this.fail(pos, state, c);
          } else {
            state = this.afterValue(pos); // c is read again in the new state
          }
          break;
        case IN_LITERAL:
          if (c !== this.literal[this.literalIndex]) return this.fail(pos, state, c);
          pos++;
          if (++this.literalIndex === this.literal.length) state = this.literal === BOM ? this.skipBom() : this.afterValue(pos);
          break;
        case TOP:
          if (c === OPEN_BRACKET) {
            this.openTopArray(pos);
            state = ARR_FIRST;
          } else if ((next = this.beginValue(c, pos)) >= 0) {
            state = next;
          } else {
            return this.fail(pos, state, c);
          }
          pos++;
          break;
        case OBJ_FIRST:
        case OBJ_KEY:
          if (c === QUOTE) (this.stringIsKey = true), (state = IN_STRING);
          else if (c === CLOSE_BRACE && state === OBJ_FIRST) state = this.closeContainer(pos + 1);
          else return this.fail(pos, state, c);
          pos++;
          break;
        case OBJ_COLON:
          if (c !== COLON) return this.fail(pos, state, c);
          if (++this.itemKeys === this.maxItemKeys + 1 && this.inItem) this.keysExceeded();
          state = OBJ_VALUE;
          pos++;
          break;
        case OBJ_NEXT:
          if (c === COMMA) state = OBJ_KEY;
          else if (c === CLOSE_BRACE) state = this.closeContainer(pos + 1);
          else return this.fail(pos, state, c);
          pos++;
          break;
        case ARR_NEXT:
          if (c === COMMA) state = ARR_VALUE;
          else if (c === CLOSE_BRACKET) state = this.closeContainer(pos + 1);
          else return this.fail(pos, state, c);
          pos++;
          break;
        default: // OBJ_VALUE, ARR_FIRST, ARR_VALUE, ARR_LENIENT
          if (c === CLOSE_BRACKET && (state === ARR_FIRST || state === ARR_LENIENT)) state = this.closeContainer(pos + 1);
          else if (c === COMMA && state === ARR_LENIENT) state = ARR_LENIENT;
          else if ((next = this.beginValue(c, pos)) >= 0) state = next;
          else return this.fail(pos, state, c);
          pos++;
      }
      if (state === TOP) break; // an item or a top-level array just ended
    }
    this.pos = pos;
    this.state = state;
  }

  /** Starts the value whose first byte is `c`; returns the next state, or -1 when `c` cannot start a value. */
  private beginValue(c: number, pos: number): number {
    let next: number;
    switch (c) {
      case OPEN_BRACE:
        next = OBJ_FIRST;
        break;
      case OPEN_BRACKET:
        next = ARR_FIRST;
        break;
      case QUOTE:
        next = IN_STRING;
        this.stringIsKey = false;
        break;
      case MINUS:
        next = IN_NUMBER;
        this.numState = N_MINUS;
        break;
      case 0x74: // t
      case 0x66: // f
      case 0x6e: // n
        next = IN_LITERAL;
        this.literal = c === 0x74 ? LITERAL_TRUE : c === 0x66 ? LITERAL_FALSE : LITERAL_NULL;
        this.literalIndex = 1;
        break;
      case 0xef:
        if (this.depth !== 0 || this.inArray) return -1;
        next = IN_LITERAL;
        this.literal = BOM;
        this.literalIndex = 1;
        break;
      default:
        if (!isDigit(c)) return -1;
        next = IN_NUMBER;
        this.numState = c === DIGIT_0 ? N_ZERO : N_INT;
    }
    if (this.depth === (this.inArray ? 1 : 0)) {
      this.inItem = true;
      this.itemStart = this.base + pos;
      this.itemLine = this.line;
      this.itemKeys = 0;
      this.lineBraceStart = -1;
      this.prevLineBraceStart = -1;
    } else if (c === OPEN_BRACE && this.inItem && this.base + pos === this.lineStart && this.line > this.itemLine) {
      this.prevLineBraceStart = this.lineBraceStart;
      this.prevLineBraceLine = this.lineBraceLine;
      this.lineBraceStart = this.lineStart;
      this.lineBraceLine = this.line;
    }
    if (next === OBJ_FIRST) this.pushContainer(OBJECT);
    else if (next === ARR_FIRST) this.pushContainer(ARRAY);
    return next;
  }

  private openTopArray(pos: number): void {
    this.pushContainer(ARRAY);
    this.inArray = true;
    this.arrayStart = this.base + pos;
    this.arrayLine = this.line;
    this.arrayOpened();
  }

  private pushContainer(kind: number): void {
    if (this.depth === this.stack.length) {
      const grown = new Uint8Array(this.stack.length * 2);
      grown.set(this.stack);
      this.stack = grown;
    }
    this.stack[this.depth++] = kind;
  }

  /** A '}' or ']' ended just before `end`. */
  private closeContainer(end: number): number {
    this.depth--;
    if (this.inArray && this.depth === 0) {
      this.leaveArray(); // the top-level array itself is not an item
      return TOP;
    }
    return this.afterValue(end);
  }

  /** A value ended just before local index `end`; emits it if it is an item and returns the next state. */
  protected afterValue(end: number): number {
    const depth = this.depth;
    if (depth === 0) {
      this.emitItem(end);
      return TOP;
    }
    if (depth === 1 && this.inArray) {
      this.emitItem(end);
      return ARR_NEXT;
    }
    return this.stack[depth - 1] === OBJECT ? OBJ_NEXT : ARR_NEXT;
  }

  /** Continue between items: at top level, or inside the top-level array accepting a value, ',' or ']'. */
  protected restart(insideArray: boolean): void {
    if (insideArray) {
      this.depth = 1;
      this.stack[0] = ARRAY;
      this.state = ARR_LENIENT;
    } else {
      this.depth = 0;
      this.state = TOP;
    }
  }

  /** A byte order mark between top-level values was read whole: no item. */
  private skipBom(): number {
    this.inItem = false;
    this.bomSkipped();
    return TOP;
  }

  /** A byte order mark was skipped: whatever was kept of it as the start of an item is not one. */
  protected abstract bomSkipped(): void;

  /** Whether the walk is inside a byte order mark that may yet turn out whole. */
  protected inBom(state = this.state): boolean {
    return state === IN_LITERAL && this.literal === BOM;
  }

  /** What a byte order mark cut short is reported as: the bad character it starts with, where a value was expected. */
  protected bomCutShortMessage(): string {
    return syntaxErrorMessage(TOP, BOM[0], this.itemLine);
  }

  private fail(at: number, state: number, c: number): void {
    // A byte order mark cut short is reported as the bad character it began with, as if no mark had been expected.
    this.recover(at, this.inBom(state) ? this.bomCutShortMessage() : syntaxErrorMessage(state, c, this.line));
  }
}
