/**
 * Lexical checks on SPL text: balanced quotes, parentheses, brackets and braces, and macro calls that
 * exist in macros.conf with the right number of arguments (expanded the way Splunk does: `$arg$` replaced).
 */
import { ConfFile } from '../../../../src/splunkApp/confFile';

const CLOSER_OF: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const OPENERS = new Set(Object.keys(CLOSER_OF));
const CLOSERS = new Set(Object.values(CLOSER_OF));

/** Every imbalance in `spl`, as readable messages (empty when balanced). */
export function balanceProblems(spl: string): string[] {
  const problems: string[] = [];
  const stack: { char: string; at: number }[] = [];
  let quote: { char: string; at: number } | undefined;
  let backtick: { at: number; depth: number } | undefined;

  for (let i = 0; i < spl.length; i += 1) {
    const char = spl[i];
    if (quote) {
      if (char === '\\') i += 1;
      else if (char === quote.char) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = { char, at: i };
    } else if (char === '`') {
      if (!backtick) backtick = { at: i, depth: stack.length };
      else {
        if (stack.length !== backtick.depth) {
          problems.push(`macro call at ${backtick.at} closes with "${stack[stack.length - 1].char}" still open`);
          stack.length = backtick.depth; // reported once, here
        }
        backtick = undefined;
      }
    } else if (OPENERS.has(char)) {
      stack.push({ char, at: i });
    } else if (CLOSERS.has(char)) {
      const open = stack.pop();
      if (!open) problems.push(`"${char}" at ${i} closes nothing`);
      else if (CLOSER_OF[open.char] !== char) {
        problems.push(`"${char}" at ${i} does not match "${open.char}" at ${open.at}`);
      }
    }
  }
  if (quote) problems.push(`${quote.char} at ${quote.at} is never closed`);
  if (backtick) problems.push(`\` at ${backtick.at} is never closed`);
  for (const open of stack) problems.push(`"${open.char}" at ${open.at} is never closed`);
  return problems;
}

export interface MacroDefinition {
  /** The stanza name: `name` or `name(n)`. */
  readonly key: string;
  readonly args: readonly string[];
  readonly definition: string;
}

export type MacroTable = ReadonlyMap<string, MacroDefinition>;

export class MacroError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MacroError';
  }
}

const STANZA = /^([A-Za-z0-9_]+)(?:\((\d+)\))?$/;

/** The macros of a parsed macros.conf, checked for consistent `name(n)` / `args`. */
export function macroTable(conf: ConfFile): Map<string, MacroDefinition> {
  const table = new Map<string, MacroDefinition>();
  for (const [key, stanza] of conf) {
    const shape = STANZA.exec(key);
    if (!shape) throw new MacroError(`macros.conf: [${key}] is not a macro name`);
    const definition = stanza.settings.get('definition')?.value;
    if (definition === undefined) throw new MacroError(`macros.conf: [${key}] has no definition`);
    const argsValue = stanza.settings.get('args')?.value ?? '';
    const args = argsValue === '' ? [] : argsValue.split(',').map((arg) => arg.trim());
    const declared = shape[2] === undefined ? 0 : Number(shape[2]);
    if (args.length !== declared) {
      throw new MacroError(`macros.conf: [${key}] takes ${declared} argument(s) but lists args = ${argsValue}`);
    }
    table.set(key, { key, args, definition });
  }
  return table;
}

export interface MacroCall {
  readonly name: string;
  readonly args: readonly string[];
  /** The whole call, backticks included. */
  readonly text: string;
}

/** Splits on commas outside quotes and parentheses. */
export function splitTopLevel(text: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quote) {
      if (char === '\\') i += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '(' || char === '[') depth += 1;
    else if (char === ')' || char === ']') depth -= 1;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

const CALL = /^([A-Za-z0-9_]+)(?:\(([\s\S]*)\))?$/;

export function macroCalls(spl: string): MacroCall[] {
  const calls: MacroCall[] = [];
  for (const match of spl.matchAll(/`([^`]*)`/g)) {
    const body = match[1].trim();
    const shape = CALL.exec(body);
    if (!shape) throw new MacroError(`"${match[0]}" is not a macro call`);
    const args = shape[2] === undefined ? [] : splitTopLevel(shape[2]).map((arg) => arg.trim());
    calls.push({ name: shape[1], args, text: match[0] });
  }
  return calls;
}

/** `spl` with every macro call replaced by its definition, recursively. */
export function expandMacros(spl: string, macros: MacroTable, depth = 0): string {
  if (depth > 10) throw new MacroError('macros nest more than 10 deep (a macro calls itself?)');
  let expanded = spl;
  for (const call of macroCalls(spl)) {
    const key = call.args.length === 0 ? call.name : `${call.name}(${call.args.length})`;
    const macro = macros.get(key);
    if (!macro) {
      const arities = [...macros.keys()].filter((k) => k === call.name || k.startsWith(`${call.name}(`));
      throw new MacroError(
        arities.length > 0
          ? `${call.text} has ${call.args.length} argument(s); macros.conf defines only ${arities.join(', ')}`
          : `${call.text} calls a macro macros.conf does not define`,
      );
    }
    let body = macro.definition;
    macro.args.forEach((name, i) => {
      body = body.split(`$${name}$`).join(call.args[i]);
    });
    expanded = expanded.replace(call.text, () => expandMacros(body, macros, depth + 1));
  }
  return expanded;
}
