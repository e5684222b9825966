/**
 * The fields that exist at one point of an SPL pipeline, and the errors for fields read that do not.
 */

/** Fields Splunk gives every event (the HEC envelope's host, source, sourcetype and index land here). */
export const SPLUNK_DEFAULT_FIELDS: readonly string[] = [
  '_time', '_raw', '_indextime', '_cd', '_bkt', '_serial', '_si', '_sourcetype',
  'index', 'host', 'source', 'sourcetype', 'splunk_server', 'linecount', 'punct', 'eventtype', 'tag',
];

/** A plain name, or the column of an aggregate without `as`, which is named after itself: `sum(logins)`. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]*(?:\([^()]*(?:\([^()]*\))?[^()]*\))?$/;

export class FieldScope {
  available = new Set<string>();
  readonly referenced: string[] = [];
  readonly created: string[] = [];
  readonly errors: string[] = [];

  constructor(private readonly origin: string) {}

  error(command: string, message: string): void {
    const text = `${command}: ${message}`;
    // One report per problem, however often the search repeats it.
    if (!this.errors.includes(text)) this.errors.push(text);
  }

  read(command: string, rawName: string): void {
    const path = normalizeField(rawName);
    if (!FIELD_NAME.test(path)) {
      this.error(command, `"${rawName}" is not a field name the checker can follow`);
      return;
    }
    // A key inside a JSON object (KV_MODE=json names it by its path, `auth0_stats_errors.count`) exists when the
    // object's top-level field does; the top-level field is what is reported.
    const name = path.includes('.') && !this.available.has(path) ? path.slice(0, path.indexOf('.')) : path;
    this.referenced.push(name);
    if (!this.available.has(name)) {
      this.error(
        command,
        `field "${name}" is not in SUMMARY_FIELDS for ${this.origin}, not a Splunk default field, ` +
          'and not created earlier in the search',
      );
    }
  }

  create(command: string, rawName: string): void {
    const name = normalizeField(rawName);
    if (!FIELD_NAME.test(name)) {
      this.error(command, `"${rawName}" is not a valid name for a new field`);
      return;
    }
    this.created.push(name);
    this.available.add(name);
  }

  /** After a transforming command only its output columns exist. */
  replace(command: string, names: Iterable<string>): void {
    this.available = new Set();
    for (const name of names) this.create(command, name);
  }
}

/** `"x"` and `'x'` are the field x; a JSON array field `name{}` counts as `name`. */
export function normalizeField(raw: string): string {
  const unquoted = /^(["'])(.*)\1$/s.exec(raw)?.[2] ?? raw;
  return unquoted.replace(/\{\}/g, '');
}
