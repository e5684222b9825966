/**
 * Tokenizers for the three shapes SPL arguments come in: search clauses (`field=value`, `NOT`, `IN (...)`),
 * eval expressions, and command argument lists (stats terms, field lists, options).
 */

/** Search-clause keys that set the time range instead of matching a field. */
export const TIME_MODIFIERS: readonly string[] = ['earliest', 'latest', '_index_earliest', '_index_latest'];

export function unquote(value: string): string {
  return /^"(.*)"$/s.exec(value)?.[1] ?? value;
}

function searchTokens(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  const flush = (): void => {
    if (current !== '') tokens.push(current);
    current = '';
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      current += char;
      if (char === '\\') current += text[++i] ?? '';
      else if (char === '"') quoted = false;
    } else if (char === '"') {
      quoted = true;
      current += char;
    } else if (/[\s,]/.test(char)) flush();
    else if (char === '(' || char === ')') {
      flush();
      tokens.push(char);
    } else current += char;
  }
  flush();
  return tokens;
}

const SEARCH_TERM = /^([A-Za-z_][A-Za-z0-9_.{}]*)(!=|<=|>=|=|<|>)([\s\S]*)$/;

/** Reads a search clause: field references, and the summary kinds it selects. */
export function readSearchClause(
  text: string,
  onField: (name: string) => void,
  onKind: (kind: string) => void,
  onError: (message: string) => void,
): void {
  const tokens = searchTokens(text);
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    const negated = tokens[i - 1] === 'NOT';
    if (token === '(' || token === ')' || token === 'AND' || token === 'OR' || token === 'NOT') continue;
    if (tokens[i + 1]?.toUpperCase() === 'IN') {
      const close = tokens.indexOf(')', i + 2);
      if (tokens[i + 2] !== '(' || close < 0) {
        onError(`"${token} IN" needs a parenthesized list`);
        return;
      }
      onField(token);
      if (token === 'summary' && !negated) tokens.slice(i + 3, close).forEach((value) => onKind(unquote(value)));
      i = close;
      continue;
    }
    const term = SEARCH_TERM.exec(token);
    if (term) {
      const [, field, operator, value] = term;
      if (value === '') onError(`"${token}" has no value (spaces around the operator?)`);
      if (TIME_MODIFIERS.includes(field)) continue;
      onField(field);
      if (field === 'summary' && operator === '=' && !negated) onKind(unquote(value));
    } else if (!token.startsWith('"') && /[=<>]/.test(token)) {
      onError(`cannot read search term "${token}"`);
    }
    // Anything else is a free-text term, not a field.
  }
}

// --------------------------------------------------------------------------------- eval expressions

export interface EvalToken {
  readonly type: 'name' | 'quoted_field' | 'literal' | 'operator' | '(' | ')' | ',';
  readonly text: string;
}

const EVAL_LEXEMES: [EvalToken['type'] | 'space', RegExp][] = [
  ['space', /^\s+/],
  ['literal', /^"(?:[^"\\]|\\.)*"/],
  ['quoted_field', /^'(?:[^'\\]|\\.)*'/],
  ['literal', /^\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/],
  ['literal', /^\$[A-Za-z0-9_.|]+\$/], // a dashboard token: replaced by a value before the search runs
  ['name', /^[A-Za-z_][A-Za-z0-9_]*/],
  ['operator', /^(?:==|!=|<=|>=|[=<>+\-*/%.!])/],
  ['(', /^\(/],
  [')', /^\)/],
  [',', /^,/],
];

export function evalTokens(expression: string): EvalToken[] {
  const tokens: EvalToken[] = [];
  let rest = expression;
  while (rest !== '') {
    const lexeme = EVAL_LEXEMES.find(([, pattern]) => pattern.test(rest));
    if (!lexeme) throw new Error(`unexpected "${rest.slice(0, 20)}" in eval expression`);
    const text = lexeme[1].exec(rest)![0];
    if (lexeme[0] !== 'space') tokens.push({ type: lexeme[0], text });
    rest = rest.slice(text.length);
  }
  return tokens;
}

/** The position of the assignment "=" (not part of ==, !=, <=, >=) outside quotes and parentheses. */
export function assignmentAt(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quote) {
      if (char === '\\') i += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '=' && depth === 0 && !'!<>='.includes(text[i - 1] ?? '') && text[i + 1] !== '=') return i;
  }
  return -1;
}

// ------------------------------------------------------------------------------------ command args

/** Splits on whitespace and commas, keeping parenthesized and quoted stretches whole. */
export function argTokens(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quote) {
      current += char;
      if (char === '\\') current += text[++i] ?? '';
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (depth === 0 && /[\s,]/.test(char)) {
      if (current !== '') tokens.push(current);
      current = '';
    } else current += char;
  }
  if (current !== '') tokens.push(current);
  return tokens;
}

export const OPTION = /^([A-Za-z_]+)=([\s\S]*)$/;
export const CALL = /^([A-Za-z_][A-Za-z0-9_]*)\(([\s\S]*)\)$/;
