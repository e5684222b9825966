/**
 * Follows the fields through an (already macro-expanded) SPL pipeline and reports every field it reads
 * that does not exist at that point.
 *
 * What exists: at the start, the fields of the summary kinds the search names (`summary="daily"` or
 * `summary IN (...)` in a search clause; a search must name its kinds) plus Splunk's default fields. A
 * field is *created* by `eval x=`, `as x` (stats-like commands, rename, bin), a bare aggregate's own name
 * (`count`, `sum(x)`), or `fillnull` of a named field. Transforming commands (stats, chart, timechart, top,
 * table, fields) leave only what they output. JSON array fields are read as `name{}` and count as `name`.
 *
 * The checker understands the commands in splCommands.ts and nothing else: an unknown command is an error, so a
 * search it cannot follow fails instead of passing unchecked.
 */
import { FieldScope, SPLUNK_DEFAULT_FIELDS } from './fieldScope';
import { COMMANDS } from './splCommands';
import { readSearchClause } from './splLexing';
import { splitTopLevel } from './splSyntax';

export { SPLUNK_DEFAULT_FIELDS } from './fieldScope';
export { TIME_MODIFIERS } from './splLexing';

export interface FieldCheck {
  /** Summary kinds the search names. */
  readonly kinds: readonly string[];
  /** Every field read, normalized (`inputs{}` → `inputs`), in order. */
  readonly referenced: readonly string[];
  /** Every field the SPL creates. */
  readonly created: readonly string[];
  readonly errors: readonly string[];
}

/** Splits a pipeline on "|" outside quotes, parentheses and brackets. */
export function pipelineSegments(spl: string): string[] {
  return splitTopLevel(spl, '|').map((segment) => segment.trim());
}

export function checkFields(spl: string, schema: Readonly<Record<string, readonly string[]>>): FieldCheck {
  const segments = pipelineSegments(spl);
  const kinds = new Set<string>();
  const kindErrors: string[] = [];
  if (segments[0] === '') kindErrors.push('search: a search starting with a generating command is not supported');

  // First pass: which summary kinds does the search select?
  segments.forEach((segment, i) => {
    const search = i === 0 ? segment.replace(/^search\s/, '') : /^search\s([\s\S]*)$/.exec(segment)?.[1];
    if (search !== undefined) readSearchClause(search, () => undefined, (kind) => kinds.add(kind), () => undefined);
  });
  if (kinds.size === 0) kindErrors.push('search: names no summary kind (summary="..." or summary IN (...))');
  for (const kind of kinds) {
    if (!Object.prototype.hasOwnProperty.call(schema, kind)) {
      kindErrors.push(`search: summary kind "${kind}" is not in SUMMARY_FIELDS`);
    }
  }

  const scope = new FieldScope([...kinds].join(', ') || 'no kind');
  for (const name of SPLUNK_DEFAULT_FIELDS) scope.available.add(name);
  for (const kind of kinds) for (const name of schema[kind] ?? []) scope.available.add(name);

  segments.forEach((segment, i) => {
    if (segment === '' && i === 0) return;
    const parts = /^(\S+)\s*([\s\S]*)$/.exec(segment);
    const word = parts?.[1] ?? '';
    const args = parts?.[2] ?? '';
    if (i === 0 && word !== 'search') {
      COMMANDS.search(scope, segment);
      return;
    }
    const reader = COMMANDS[word === 'bucket' ? 'bin' : word];
    if (!reader) scope.error(word || '(empty)', `unsupported command "${word}": teach the field checker before using it`);
    else reader(scope, args);
  });

  return { kinds: [...kinds], referenced: scope.referenced, created: scope.created, errors: [...kindErrors, ...scope.errors] };
}
