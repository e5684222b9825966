/**
 * Byte constants, scanner states and syntax-error wording for the JSON value scanner.
 * Messages name the offending byte the same way whether it is seen as a byte or as a decoded character,
 * so any other reader of the same grammar can word its errors identically.
 */

export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const TAB = 0x09;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const MINUS = 0x2d;
export const PLUS = 0x2b;
export const DOT = 0x2e;
export const DIGIT_0 = 0x30;
export const DIGIT_9 = 0x39;

/** What the scanner expects next. */
export const TOP = 0; // between top-level values
export const OBJ_FIRST = 1; // after '{': a property name or '}'
export const OBJ_KEY = 2; // after ',' in an object: a property name
export const OBJ_COLON = 3; // after a property name: ':'
export const OBJ_VALUE = 4; // after ':': a value
export const OBJ_NEXT = 5; // after a member: ',' or '}'
export const ARR_FIRST = 6; // after '[': a value or ']'
export const ARR_VALUE = 7; // after ',' in an array: a value
export const ARR_NEXT = 8; // after an element: ',' or ']'
export const ARR_LENIENT = 9; // in a top-level array after a bad element: a value, ',' or ']'
export const IN_STRING = 10;
export const IN_ESCAPE = 11; // after a backslash in a string
export const IN_HEX = 12; // inside the four hex digits of a \u escape
export const IN_NUMBER = 13;
export const IN_LITERAL = 14; // inside true / false / null
export const SKIP_LINE = 15; // discarding the rest of a line after a syntax error

/** Number grammar positions: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
export const N_MINUS = 0; // after '-': a digit
export const N_ZERO = 1; // after a leading 0: may end, '.', 'e'
export const N_INT = 2; // in integer digits: may end
export const N_DOT = 3; // after '.': a digit
export const N_FRAC = 4; // in fraction digits: may end
export const N_EXP = 5; // after 'e': sign or digit
export const N_EXP_SIGN = 6; // after the exponent sign: a digit
export const N_EXP_DIGITS = 7; // in exponent digits: may end

/** Whether a number may end in this position. */
export function numberMayEnd(numState: number): boolean {
  return numState === N_ZERO || numState === N_INT || numState === N_FRAC || numState === N_EXP_DIGITS;
}

export const LITERAL_TRUE = Buffer.from('true');
export const LITERAL_FALSE = Buffer.from('false');
export const LITERAL_NULL = Buffer.from('null');

export function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

export function isHexDigit(c: number): boolean {
  return (c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Printable ASCII quoted; other ASCII as U+00XX; anything else (a UTF-8 lead or stray byte) generically. */
export function describeCharacter(c: number): string {
  if (c > 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  if (c < 0x80) return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return 'a non-ASCII character';
}

const EXPECTATION: Record<number, string> = {
  [TOP]: 'expected a JSON value',
  [OBJ_FIRST]: "expected a property name or '}'",
  [OBJ_KEY]: 'expected a property name',
  [OBJ_COLON]: "expected ':'",
  [OBJ_VALUE]: 'expected a value',
  [OBJ_NEXT]: "expected ',' or '}'",
  [ARR_FIRST]: "expected a value or ']'",
  [ARR_VALUE]: 'expected a value',
  [ARR_NEXT]: "expected ',' or ']'",
  [ARR_LENIENT]: "expected a value, ',' or ']'",
  [IN_ESCAPE]: 'invalid escape in a string',
  [IN_HEX]: 'invalid \\u escape in a string',
  [IN_NUMBER]: 'invalid number',
  [IN_LITERAL]: 'invalid literal',
};

/** The message for offending byte `c` met in `state` on line `line`. */
export function syntaxErrorMessage(state: number, c: number, line: number): string {
  if (state === IN_STRING) {
    const what = c === LF ? 'line break inside a string' : `unescaped control character ${describeCharacter(c)} in a string`;
    return `${what} at line ${line}`;
  }
  return `${EXPECTATION[state]}, found ${describeCharacter(c)} at line ${line}`;
}

export const END_OF_INPUT_MESSAGE = 'unexpected end of input';

/** numberStep results besides a next N_* position. */
export const NUMBER_ENDS = -1; // the byte is not part of the number, which is complete
export const NUMBER_BAD = -2; // the number cannot continue or end here

/** One step of the number grammar for byte `c`. */
export function numberStep(numState: number, c: number): number {
  const exponent = c === 0x65 || c === 0x45;
  switch (numState) {
    case N_MINUS:
      return c === DIGIT_0 ? N_ZERO : isDigit(c) ? N_INT : NUMBER_BAD;
    case N_ZERO:
      return c === DOT ? N_DOT : exponent ? N_EXP : NUMBER_ENDS;
    case N_INT:
      return isDigit(c) ? N_INT : c === DOT ? N_DOT : exponent ? N_EXP : NUMBER_ENDS;
    case N_DOT:
      return isDigit(c) ? N_FRAC : NUMBER_BAD;
    case N_FRAC:
      return isDigit(c) ? N_FRAC : exponent ? N_EXP : NUMBER_ENDS;
    case N_EXP:
      return c === PLUS || c === MINUS ? N_EXP_SIGN : isDigit(c) ? N_EXP_DIGITS : NUMBER_BAD;
    case N_EXP_SIGN:
      return isDigit(c) ? N_EXP_DIGITS : NUMBER_BAD;
    default:
      return isDigit(c) ? N_EXP_DIGITS : NUMBER_ENDS;
  }
}

/** The characters that may follow a backslash in a string (besides 'u'). */
export function isSimpleEscape(c: number): boolean {
  return c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74;
}
