import { parseConf } from '../../../src/splunkApp/confFile';
import { balanceProblems, expandMacros, macroCalls, MacroError, macroTable } from './helpers/splSyntax';

const MACROS = macroTable(
  parseConf(
    [
      '[idx]',
      'definition = index=auth0_usage',
      '[latest(1)]',
      'args = kind',
      'definition = `idx` summary="$kind$" | dedup summary_id',
      '[pair(2)]',
      'args = a, b',
      'definition = $a$=$b$',
    ].join('\n'),
  ),
);

describe('balanceProblems', () => {
  it('accepts balanced SPL, with brackets and pipes inside quotes ignored', () => {
    expect(balanceProblems('`latest(daily)` | eval x=if(a=="(", "[", "}") | table x inputs{}')).toEqual([]);
    expect(balanceProblems('search "say \\"hi\\"" | stats count')).toEqual([]);
  });

  it('catches an unbalanced bracket', () => {
    expect(balanceProblems('index=x | append [ search index=y | head 1 ')).toEqual(['"[" at 17 is never closed']);
  });

  it('catches a closer that does not match its opener', () => {
    expect(balanceProblems('eval x=round(a]')).toEqual(['"]" at 14 does not match "(" at 12']);
    expect(balanceProblems('stats count) by x')).toEqual(['")" at 11 closes nothing']);
  });

  it('catches unclosed quotes and backticks', () => {
    expect(balanceProblems('search a="b')).toEqual(['" at 9 is never closed']);
    expect(balanceProblems("where 'x=1")).toEqual(["' at 6 is never closed"]);
    expect(balanceProblems('`latest(daily) | head 1')).toEqual(['` at 0 is never closed']);
  });

  it('catches a parenthesis left open inside a macro call', () => {
    expect(balanceProblems('`latest(daily` | head 1')).toEqual(['macro call at 0 closes with "(" still open']);
  });
});

describe('macros', () => {
  it('reads macro calls with their arguments', () => {
    expect(macroCalls('`idx` x | `pair(a, "b,c")`')).toEqual([
      { name: 'idx', args: [], text: '`idx`' },
      { name: 'pair', args: ['a', '"b,c"'], text: '`pair(a, "b,c")`' },
    ]);
  });

  it('expands nested macros and substitutes arguments', () => {
    expect(expandMacros('`latest(daily)` | search `pair(tenant, "acme")`', MACROS)).toBe(
      'index=auth0_usage summary="daily" | dedup summary_id | search tenant="acme"',
    );
  });

  it('catches a typo in a macro name', () => {
    expect(() => expandMacros('`lastest(daily)` | head 1', MACROS)).toThrow(
      new MacroError('`lastest(daily)` calls a macro macros.conf does not define'),
    );
  });

  it('catches a call with the wrong number of arguments', () => {
    expect(() => expandMacros('`latest` | head 1', MACROS)).toThrow('`latest` has 0 argument(s); macros.conf defines only latest(1)');
    expect(() => expandMacros('`latest(daily, m2m)`', MACROS)).toThrow('has 2 argument(s)');
  });

  it('rejects a macros.conf whose args do not match the stanza arity', () => {
    expect(() => macroTable(parseConf('[m(2)]\nargs = a\ndefinition = $a$\n'))).toThrow('takes 2 argument(s) but lists args = a');
  });
});
