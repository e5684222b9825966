/**
 * What each supported SPL command reads and creates. A command missing here is an error in checkFields.
 */
import { FieldScope, normalizeField } from './fieldScope';
import { argTokens, assignmentAt, CALL, evalTokens, EvalToken, OPTION, readSearchClause } from './splLexing';
import { splitTopLevel } from './splSyntax';

const EVAL_FUNCTIONS = new Set([
  'abs', 'case', 'ceiling', 'ceil', 'cidrmatch', 'coalesce', 'exact', 'exp', 'false', 'floor', 'if', 'in',
  'isnotnull', 'isnull', 'isnum', 'isstr', 'len', 'like', 'ln', 'log', 'lower', 'ltrim', 'match', 'max', 'min',
  'mvappend', 'mvcount', 'mvdedup', 'mvfilter', 'mvindex', 'mvjoin', 'mvsort', 'now', 'null', 'nullif', 'pi',
  'pow', 'printf', 'random', 'relative_time', 'replace', 'round', 'rtrim', 'searchmatch', 'sigfig', 'split',
  'sqrt', 'strftime', 'strptime', 'substr', 'time', 'tonumber', 'tostring', 'trim', 'true', 'typeof', 'upper',
  'urldecode', 'validate',
]);
const EVAL_KEYWORDS = new Set(['AND', 'OR', 'NOT', 'XOR', 'LIKE', 'IN']);

const STATS_FUNCTIONS = new Set([
  'count', 'c', 'dc', 'distinct_count', 'estdc', 'sum', 'sumsq', 'avg', 'mean', 'min', 'max', 'median', 'mode',
  'range', 'stdev', 'stdevp', 'var', 'varp', 'latest', 'earliest', 'first', 'last', 'values', 'list',
  'latest_time', 'earliest_time', 'rate',
]);
const PERCENTILE = /^(perc|p|exactperc|upperperc)\d+$/;

const OPTIONS: Record<string, ReadonlySet<string>> = {
  stats: new Set(['allnum', 'delim', 'partitions']),
  eventstats: new Set(['allnum']),
  streamstats: new Set(['current', 'window', 'global', 'reset_on_change', 'time_window', 'allnum']),
  timechart: new Set(['span', 'limit', 'useother', 'usenull', 'partial', 'cont', 'fixedrange', 'bins', 'minspan', 'format']),
  chart: new Set(['limit', 'useother', 'usenull', 'cont', 'span', 'bins', 'format']),
  top: new Set(['limit', 'showcount', 'showperc', 'countfield', 'percentfield', 'useother', 'otherstr']),
  dedup: new Set(['keepevents', 'keepempty', 'consecutive']),
  bin: new Set(['span', 'bins', 'minspan', 'start', 'end', 'aligntime']),
  fillnull: new Set(['value']),
};

export function readExpression(scope: FieldScope, command: string, expression: string): void {
  let tokens: EvalToken[];
  try {
    tokens = evalTokens(expression);
  } catch (error) {
    scope.error(command, (error as Error).message);
    return;
  }
  tokens.forEach((token, i) => {
    if (token.type === 'quoted_field') scope.read(command, token.text);
    if (token.type !== 'name') return;
    if (tokens[i + 1]?.type === '(') {
      if (!EVAL_FUNCTIONS.has(token.text)) scope.error(command, `unknown eval function "${token.text}()"`);
    } else if (!EVAL_KEYWORDS.has(token.text)) {
      scope.read(command, token.text);
    }
  });
}

interface Aggregation {
  readonly outputs: string[];
  readonly by: string[];
  over?: string;
}

/** stats-like arguments: options, aggregate terms with optional `as`, `over x`, `by a, b`. */
function readAggregations(scope: FieldScope, command: string, text: string): Aggregation {
  const tokens = argTokens(text);
  const result: Aggregation = { outputs: [], by: [] };
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    const lower = token.toLowerCase();
    if (lower === 'by') {
      for (const field of tokens.slice(i + 1)) {
        scope.read(command, field);
        result.by.push(normalizeField(field));
      }
      break;
    }
    if (lower === 'over' && command === 'chart') {
      scope.read(command, tokens[i + 1] ?? '');
      result.over = normalizeField(tokens[i + 1] ?? '');
      i += 1;
      continue;
    }
    const option = OPTION.exec(token);
    if (option && !CALL.test(token)) {
      if (!OPTIONS[command]?.has(option[1])) scope.error(command, `unknown option "${option[1]}"`);
      continue;
    }
    const call = CALL.exec(token);
    let output: string;
    if (call) {
      const [, func, arg] = call;
      if (!STATS_FUNCTIONS.has(func) && !PERCENTILE.test(func)) scope.error(command, `unknown function "${func}()"`);
      const evalArg = /^eval\(([\s\S]*)\)$/.exec(arg);
      if (evalArg) readExpression(scope, command, evalArg[1]);
      else if (arg !== '') scope.read(command, arg);
      output = token;
    } else if (lower === 'count' || lower === 'c') {
      output = 'count';
    } else {
      scope.error(command, `unexpected "${token}"`);
      continue;
    }
    if (tokens[i + 1]?.toLowerCase() === 'as') {
      output = tokens[i + 2] ?? '';
      i += 2;
    }
    result.outputs.push(output);
  }
  return result;
}

/** Sort fields: `[-|+]field`, `-str(field)`, a separate `-`, and a trailing `d`/`desc`. */
function readSortFields(scope: FieldScope, command: string, tokens: readonly string[]): void {
  for (const token of tokens) {
    if (token === '-' || token === '+' || token === 'd' || token === 'desc') continue;
    const bare = token.replace(/^[-+]/, '');
    const typed = /^(?:auto|str|ip|num)\(([^)]*)\)$/.exec(bare);
    scope.read(command, typed ? typed[1] : bare);
  }
}

type CommandReader = (scope: FieldScope, args: string) => void;

export const COMMANDS: Record<string, CommandReader> = {
  search: (scope, args) =>
    readSearchClause(
      args,
      (field) => scope.read('search', field),
      () => undefined,
      (message) => scope.error('search', message),
    ),
  where: (scope, args) => readExpression(scope, 'where', args),
  eval: (scope, args) => {
    for (const assignment of splitTopLevel(args)) {
      const at = assignmentAt(assignment);
      if (at < 0) {
        scope.error('eval', `"${assignment.trim()}" is not name=expression`);
        continue;
      }
      readExpression(scope, 'eval', assignment.slice(at + 1));
      scope.create('eval', assignment.slice(0, at).trim());
    }
  },
  stats: (scope, args) => {
    const { outputs, by } = readAggregations(scope, 'stats', args);
    scope.replace('stats', [...by, ...outputs]);
  },
  eventstats: (scope, args) => {
    for (const output of readAggregations(scope, 'eventstats', args).outputs) scope.create('eventstats', output);
  },
  streamstats: (scope, args) => {
    for (const output of readAggregations(scope, 'streamstats', args).outputs) scope.create('streamstats', output);
  },
  // With a split-by field the columns are that field's values: no later command can name them here.
  timechart: (scope, args) => {
    const { outputs } = readAggregations(scope, 'timechart', args);
    scope.replace('timechart', ['_time', '_span', ...outputs]);
  },
  chart: (scope, args) => {
    const { outputs, over } = readAggregations(scope, 'chart', args);
    scope.replace('chart', [...(over ? [over] : []), ...outputs]);
  },
  top: (scope, args) => {
    const fields: string[] = [];
    for (const token of argTokens(args)) {
      if (token.toLowerCase() === 'by') continue;
      const option = OPTION.exec(token);
      if (option) {
        if (!OPTIONS.top.has(option[1])) scope.error('top', `unknown option "${option[1]}"`);
        continue;
      }
      scope.read('top', token);
      fields.push(token);
    }
    scope.replace('top', [...fields, 'count', 'percent']);
  },
  table: (scope, args) => {
    const fields = argTokens(args);
    fields.forEach((field) => scope.read('table', field));
    scope.replace('table', fields);
  },
  fields: (scope, args) => {
    const tokens = argTokens(args);
    const removing = tokens[0] === '-';
    const fields = tokens.filter((token) => token !== '-' && token !== '+');
    fields.forEach((field) => scope.read('fields', field));
    if (removing) fields.forEach((field) => scope.available.delete(normalizeField(field)));
    else scope.replace('fields', [...fields, ...[...scope.available].filter((name) => name.startsWith('_'))]);
  },
  rename: (scope, args) => {
    const tokens = argTokens(args);
    for (let i = 0; i < tokens.length; i += 3) {
      if (tokens[i + 1]?.toLowerCase() !== 'as' || tokens[i + 2] === undefined) {
        scope.error('rename', `expected "old as new", got "${tokens.slice(i, i + 3).join(' ')}"`);
        return;
      }
      scope.read('rename', tokens[i]);
      scope.available.delete(normalizeField(tokens[i]));
      scope.create('rename', tokens[i + 2]);
    }
  },
  sort: (scope, args) => {
    const tokens = argTokens(args);
    readSortFields(scope, 'sort', /^\d+$|^limit=\d+$/.test(tokens[0] ?? '') ? tokens.slice(1) : tokens);
  },
  dedup: (scope, args) => {
    const tokens = argTokens(args);
    const sortby = tokens.findIndex((token) => token.toLowerCase() === 'sortby');
    const fields = (sortby < 0 ? tokens : tokens.slice(0, sortby)).filter((token, i) => !(i === 0 && /^\d+$/.test(token)));
    for (const token of fields) {
      const option = OPTION.exec(token);
      if (option) {
        if (!OPTIONS.dedup.has(option[1])) scope.error('dedup', `unknown option "${option[1]}"`);
      } else scope.read('dedup', token);
    }
    if (sortby >= 0) readSortFields(scope, 'dedup', tokens.slice(sortby + 1));
  },
  head: (scope, args) => {
    if (!/^(?:\d+|limit=\d+)?$/.test(args.trim())) scope.error('head', `only "head N" is supported, got "head ${args.trim()}"`);
  },
  tail: (scope, args) => {
    if (!/^(?:\d+)?$/.test(args.trim())) scope.error('tail', `only "tail N" is supported, got "tail ${args.trim()}"`);
  },
  reverse: (scope, args) => {
    if (args.trim() !== '') scope.error('reverse', 'takes no arguments');
  },
  fillnull: (scope, args) => {
    for (const token of argTokens(args)) {
      const option = OPTION.exec(token);
      if (option) {
        if (!OPTIONS.fillnull.has(option[1])) scope.error('fillnull', `unknown option "${option[1]}"`);
      } else scope.create('fillnull', token);
    }
  },
  bin: (scope, args) => {
    const tokens = argTokens(args);
    for (let i = 0; i < tokens.length; i += 1) {
      const option = OPTION.exec(tokens[i]);
      if (option) {
        if (!OPTIONS.bin.has(option[1])) scope.error('bin', `unknown option "${option[1]}"`);
      } else if (tokens[i].toLowerCase() === 'as') {
        scope.create('bin', tokens[i + 1] ?? '');
        i += 1;
      } else scope.read('bin', tokens[i]);
    }
  },
};
