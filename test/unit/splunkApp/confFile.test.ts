import { ConfSyntaxError, confValue, parseConf } from '../../../src/splunkApp/confFile';

describe('parseConf', () => {
  it('reads stanzas, settings, whole-line comments and keeps an inline # as part of the value', () => {
    const conf = parseConf(
      ['# heading', 'top = level', '', '[first]', '  # indented comment', 'a = 1', 'b=two words ', '', '[second stanza]', 'color = #EB5424'].join('\n'),
    );
    expect([...conf.keys()]).toEqual(['default', 'first', 'second stanza']);
    expect(confValue(conf, 'default', 'top')).toBe('level');
    expect(confValue(conf, 'first', 'a')).toBe('1');
    expect(confValue(conf, 'first', 'b')).toBe('two words');
    expect(confValue(conf, 'second stanza', 'color')).toBe('#EB5424');
    expect(conf.get('first')!.settings.get('b')!.line).toBe(7);
  });

  it('joins backslash continuations with newlines and reports the first line', () => {
    const conf = parseConf(['[s]', 'search = index=main \\', '| stats count \\', '| head 1', 'next = x'].join('\n'));
    expect(confValue(conf, 's', 'search')).toBe('index=main \n| stats count \n| head 1');
    expect(conf.get('s')!.settings.get('search')!.line).toBe(2);
    expect(confValue(conf, 's', 'next')).toBe('x');
    expect(conf.get('s')!.settings.get('next')!.line).toBe(5);
  });

  it('keeps an empty value, "=" inside values and CRLF line ends', () => {
    const conf = parseConf('[s]\r\nempty =\r\nsearch = a=b c!=d\r\n');
    expect(confValue(conf, 's', 'empty')).toBe('');
    expect(confValue(conf, 's', 'search')).toBe('a=b c!=d');
  });

  it('merges a repeated stanza header into the first', () => {
    const conf = parseConf('[s]\na = 1\n[t]\n[s]\nb = 2\n');
    expect([...conf.get('s')!.settings.keys()]).toEqual(['a', 'b']);
  });

  it.each([
    ['a line that is not a setting', '[s]\njust words\n', 3 - 1, 'expected [stanza]'],
    ['a setting without a key', '[s]\n = 1\n', 2, 'expected [stanza]'],
    ['a key set twice', '[s]\na = 1\n\na = 2\n', 4, '"a" is already set in [s] on line 2'],
    ['a continuation at the end of the file', '[s]\na = 1 \\', 2, 'continuation backslash'],
  ])('rejects %s with its line number', (_label, text, line, message) => {
    let caught: unknown;
    try {
      parseConf(text, 'x.conf');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfSyntaxError);
    expect((caught as ConfSyntaxError).line).toBe(line);
    expect((caught as Error).message).toContain(`x.conf:${line}:`);
    expect((caught as Error).message).toContain(message);
  });
});
