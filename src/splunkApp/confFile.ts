import { Auth0UsageError } from '../support/errors';

/**
 * Reads Splunk .conf files the way splunkd does for what an app uses: `[stanza]` headers, `key = value`
 * settings, whole-line `#` comments and backslash line continuations. Stricter than splunkd on purpose
 * (it is a linter): a line that is none of those, or a key set twice in one stanza, is an error instead of
 * being ignored or silently overridden.
 */

export interface ConfSetting {
  /** Continued lines are joined with "\n" (the trailing backslashes removed). */
  readonly value: string;
  /** 1-based line of the key. */
  readonly line: number;
}

export interface ConfStanza {
  readonly name: string;
  /** 1-based line of the first header (0 for settings before any header). */
  readonly line: number;
  readonly settings: Map<string, ConfSetting>;
}

/** Stanzas by name, in file order. */
export type ConfFile = Map<string, ConfStanza>;

/** Where settings written before the first header go (splunkd treats them as `[default]`). */
export const DEFAULT_STANZA = 'default';

export class ConfSyntaxError extends Auth0UsageError {
  static override readonly code: string = 'ERR_SPLUNK_CONF_SYNTAX';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

const STANZA_HEADER = /^\[(.*)\]$/;
const SETTING = /^([^=]*?)\s*=\s*(.*)$/s;

/** One logical line: physical lines joined where they end with a backslash. */
interface LogicalLine {
  readonly text: string;
  readonly line: number;
}

function logicalLines(text: string, file: string): LogicalLine[] {
  const physical = text.split(/\r?\n/);
  const result: LogicalLine[] = [];
  for (let i = 0; i < physical.length; i += 1) {
    const start = i;
    let joined = physical[i];
    while (joined.endsWith('\\')) {
      if (i + 1 >= physical.length) {
        throw new ConfSyntaxError(file, start + 1, 'the last line ends with a continuation backslash');
      }
      i += 1;
      joined = `${joined.slice(0, -1)}\n${physical[i]}`;
    }
    result.push({ text: joined, line: start + 1 });
  }
  return result;
}

export function parseConf(text: string, file = '<conf>'): ConfFile {
  const stanzas: ConfFile = new Map();
  let current: ConfStanza | undefined;

  const stanza = (name: string, line: number): ConfStanza => {
    let found = stanzas.get(name);
    if (!found) {
      found = { name, line, settings: new Map() };
      stanzas.set(name, found);
    }
    return found;
  };

  for (const { text: raw, line } of logicalLines(text, file)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;

    const header = STANZA_HEADER.exec(trimmed);
    if (header) {
      // A repeated header continues the same stanza, as in splunkd.
      current = stanza(header[1], line);
      continue;
    }

    const setting = SETTING.exec(trimmed);
    if (!setting || setting[1] === '') {
      throw new ConfSyntaxError(file, line, `expected [stanza], key = value or # comment, got "${trimmed.split('\n')[0]}"`);
    }
    const [, key, value] = setting;
    const target = current ?? stanza(DEFAULT_STANZA, 0);
    if (target.settings.has(key)) {
      const first = target.settings.get(key)!.line;
      throw new ConfSyntaxError(file, line, `"${key}" is already set in [${target.name}] on line ${first}`);
    }
    target.settings.set(key, { value: value.trimEnd(), line });
  }
  return stanzas;
}

/** The value of `key` in `[stanza]`, or undefined. */
export function confValue(conf: ConfFile, stanza: string, key: string): string | undefined {
  return conf.get(stanza)?.settings.get(key)?.value;
}
