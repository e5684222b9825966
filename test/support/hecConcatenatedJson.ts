/**
 * Splits a HEC batch body into its events the way HEC reads it: JSON objects one after another, with
 * optional whitespace between them and no commas or array brackets.
 */

export interface ConcatenatedJson {
  /** The events before the first unreadable one. */
  values: unknown[];
  /** Zero-based position of the first unreadable event, when there is one. */
  invalidAt?: number;
}

export function splitConcatenatedJson(text: string): ConcatenatedJson {
  const values: unknown[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return { values };
    const end = text[i] === '{' ? endOfObject(text, i) : -1;
    if (end < 0) return { values, invalidAt: values.length };
    try {
      values.push(JSON.parse(text.slice(i, end)));
    } catch {
      return { values, invalidAt: values.length };
    }
    i = end;
  }
}

/** Index just past the object that starts at `start`, or -1 when it never closes. */
function endOfObject(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
