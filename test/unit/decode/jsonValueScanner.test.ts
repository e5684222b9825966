import { type ItemLimits, JsonValueScanner } from '../../../src/decode/jsonValueScanner';
import { randomChunks, seededRandom } from './archiveGenerator';

type ScanEvent = ['value', number, string] | ['malformed', number, string, string];

function scan(chunks: Buffer[], truncation?: string, limits?: ItemLimits): ScanEvent[] {
  const events: ScanEvent[] = [];
  const scanner = new JsonValueScanner(
    {
      value: (_value, text, line) => events.push(['value', line, text]),
      malformed: (line, message, raw) => events.push(['malformed', line, message, raw]),
    },
    limits,
  );
  for (const chunk of chunks) scanner.push(chunk);
  scanner.end(truncation);
  return events;
}

/** The same events whether the bytes come whole, one byte at a time, or split at random places. */
function expectScan(input: string | Buffer, expected: ScanEvent[], truncation?: string): void {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  expect(scan([bytes], truncation)).toEqual(expected);
  expect(scan([...bytes].map((b) => Buffer.from([b])), truncation)).toEqual(expected);
  for (let seed = 1; seed <= 4; seed++) {
    expect(scan(randomChunks(seededRandom(seed), bytes, seed % 2 === 0), truncation)).toEqual(expected);
  }
}

describe('JsonValueScanner: layouts', () => {
  it('reads NDJSON with LF, CRLF and blank lines, numbering lines from 1', () => {
    expectScan('{"a":1}\n\n{"b":2}\r\n  \r\n{"c":3}', [
      ['value', 1, '{"a":1}'],
      ['value', 3, '{"b":2}'],
      ['value', 5, '{"c":3}'],
    ]);
  });

  it('skips a UTF-8 BOM at the start, even when it arrives one byte at a time', () => {
    expectScan('\ufeff{"a":1}\n{"b":2}\n', [
      ['value', 1, '{"a":1}'],
      ['value', 2, '{"b":2}'],
    ]);
    expectScan('\ufeff', []);
  });

  it('treats an incomplete BOM as a bad character', () => {
    expectScan(Buffer.from([0xef, 0xbb]), [['malformed', 1, 'expected a JSON value, found a non-ASCII character at line 1', '\ufffd']]);
  });

  it('skips a BOM between top-level values (files joined with cat, gzip members), on a line or back to back', () => {
    expectScan('\ufeff{"a":1}\n\ufeff{"b":2}\n{"c":3}\ufeff{"d":4}\n\ufeff\n', [
      ['value', 1, '{"a":1}'],
      ['value', 2, '{"b":2}'],
      ['value', 3, '{"c":3}'],
      ['value', 3, '{"d":4}'],
    ]);
  });

  it('a BOM split across chunks is never an item too large, even under a 1-byte limit', () => {
    const bytes = Buffer.from('1\n\ufeff2\n');
    // '1', LF and two of the BOM's three bytes, then the rest.
    expect(scan([bytes.subarray(0, 4), bytes.subarray(4)], undefined, { maxItemBytes: 1 })).toEqual([['value', 1, '1'], ['value', 2, '2']]);
  });

  it('a BOM cut short between values, or one inside a top-level array, is a bad character as before', () => {
    // EF BB then '{': the bad span runs from the EF to the end of its line, as for any bad byte where a value starts.
    expectScan(Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0xef, 0xbb]), Buffer.from('{"b":2}\n{"c":3}\n')]), [
      ['value', 1, '{"a":1}'],
      ['malformed', 2, 'expected a JSON value, found a non-ASCII character at line 2', '\ufffd{"b":2}'],
      ['value', 3, '{"c":3}'],
    ]);
    // Cut short by the end of the input, then the gzip error after it.
    expectScan(Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0xef, 0xbb])]), [
      ['value', 1, '{"a":1}'],
      ['malformed', 2, 'expected a JSON value, found a non-ASCII character at line 2', '\ufffd'],
      ['malformed', 2, 'unexpected end of file', ''],
    ], 'unexpected end of file');
    expectScan('[{"a":1},\ufeff{"b":2}]', [
      ['value', 1, '{"a":1}'],
      ['malformed', 1, 'expected a value, found a non-ASCII character at line 1', '[{"a":1},\ufeff{"b":2}]'],
    ]);
  });

  it('reads values back to back with no delimiter (Firehose `}{`)', () => {
    expectScan('{"a":1}{"b":{"c":[1,2]}}{"d":"}{"}', [
      ['value', 1, '{"a":1}'],
      ['value', 1, '{"b":{"c":[1,2]}}'],
      ['value', 1, '{"d":"}{"}'],
    ]);
    expectScan('{"a":1}{"b":2}\n{"c":3} {"d":4}\n', [
      ['value', 1, '{"a":1}'],
      ['value', 1, '{"b":2}'],
      ['value', 2, '{"c":3}'],
      ['value', 2, '{"d":4}'],
    ]);
  });

  it('reads pretty-printed values, each at the line where it starts', () => {
    expectScan('{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n{\n"c": 3\n}', [
      ['value', 1, '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}'],
      ['value', 7, '{\n"c": 3\n}'],
    ]);
  });

  it('flattens top-level arrays (pretty, one-line, several in a row, empty) into their elements', () => {
    const input = '[\n  {"a":1},\n  {"b":2}\n]\n[{"c":3},{"d":4}]\n[]\n[ 5, "x", [6], null ]\n';
    expectScan(input, [
      ['value', 2, '{"a":1}'],
      ['value', 3, '{"b":2}'],
      ['value', 5, '{"c":3}'],
      ['value', 5, '{"d":4}'],
      ['value', 7, '5'],
      ['value', 7, '"x"'],
      ['value', 7, '[6]'],
      ['value', 7, 'null'],
    ]);
  });

  it('gives each multi-line array element the line where it starts', () => {
    expectScan('[\n  {\n    "a": 1\n  },\n  {\n    "b": 2\n  }\n]', [
      ['value', 2, '{\n    "a": 1\n  }'],
      ['value', 5, '{\n    "b": 2\n  }'],
    ]);
  });

  it('mixes arrays and values on one line', () => {
    expectScan('{"a":1}[{"b":2}]{"c":3}', [
      ['value', 1, '{"a":1}'],
      ['value', 1, '{"b":2}'],
      ['value', 1, '{"c":3}'],
    ]);
  });

  it('reads top-level scalars as items, ending a number at the first byte that cannot continue it', () => {
    expectScan('12 true null -1.5e3 "s"\n0 7\n01', [
      ['value', 1, '12'],
      ['value', 1, 'true'],
      ['value', 1, 'null'],
      ['value', 1, '-1.5e3'],
      ['value', 1, '"s"'],
      ['value', 2, '0'],
      ['value', 2, '7'],
      ['value', 3, '0'],
      ['value', 3, '1'],
    ]);
  });

  it('keeps structural characters, escapes and multi-byte characters inside strings intact', () => {
    const line = '{"s":"{ } [ ] \\" \\\\ \\n \\u00e9 🙂 Zoë","t":"]["}';
    const values: unknown[] = [];
    const texts: string[] = [];
    const scanner = new JsonValueScanner({ value: (v, text) => (values.push(v), texts.push(text)), malformed: () => values.push('MALFORMED') });
    for (const b of Buffer.from(`${line}\n${line}`)) scanner.push(Buffer.from([b]));
    scanner.end();
    const expected = { s: '{ } [ ] " \\ \n é 🙂 Zoë', t: '][' };
    expect(values).toEqual([expected, expected]);
    expect(texts).toEqual([line, line]);
  });
});

describe('JsonValueScanner: malformed input', () => {
  it('reports a truncated line once and reads the good line after it', () => {
    expectScan('{"log_id":"1","type":"s"\n{"log_id":"2","type":"s"}\n', [
      ['malformed', 1, "expected ',' or '}', found '{' at line 2", '{"log_id":"1","type":"s"'],
      ['value', 2, '{"log_id":"2","type":"s"}'],
    ]);
    expectScan('{"log_id":"1","type":"s"\r\n\r\n{"log_id":"2"}\r\n', [
      ['malformed', 1, "expected ',' or '}', found '{' at line 3", '{"log_id":"1","type":"s"'],
      ['value', 3, '{"log_id":"2"}'],
    ]);
  });

  it('reads the good line after a line cut right after ":" again, though the grammar took it in as a value', () => {
    expectScan('{"a":\n{"b":1}\n{"c":2}\n', [
      ['malformed', 1, "expected ',' or '}', found '{' at line 3", '{"a":'],
      ['value', 2, '{"b":1}'],
      ['value', 3, '{"c":2}'],
    ]);
    // Cut inside an array value: the same.
    expectScan('{"scope":["a",\n{"b":1}\n{"c":2}\n', [
      ['malformed', 1, "expected ',' or ']', found '{' at line 3", '{"scope":["a",'],
      ['value', 2, '{"b":1}'],
      ['value', 3, '{"c":2}'],
    ]);
    // The good line is the last: the input ends inside the value it was taken in as.
    expectScan('{"a": \r\n{"b":{"x":[1]}}\r\n', [
      ['malformed', 1, 'unexpected end of input', '{"a":'],
      ['value', 2, '{"b":{"x":[1]}}'],
    ]);
  });

  it('reads again from the last line that opens with "{" before the error: a run of cut lines costs one re-read', () => {
    // Two cut lines, then two good ones: the error is on line 4 (the second cut line's object wanted ',' or '}').
    expectScan('{"a":\n{"b":\n{"c":1}\n{"d":2}\n', [
      ['malformed', 1, "expected ',' or '}', found '{' at line 4", '{"a":\n{"b":'],
      ['value', 3, '{"c":1}'],
      ['value', 4, '{"d":2}'],
    ]);
    // Three cut lines, then a stray ']': the first two are one item, the third its own (re-read once), then ']'.
    expectScan('{"a":\n{"a":\n{"a":\n]\n{"d":2}\n', [
      ['malformed', 1, "expected a value, found ']' at line 4", '{"a":\n{"a":'],
      ['malformed', 3, "expected a value, found ']' at line 4", '{"a":'],
      ['malformed', 4, "expected a JSON value, found ']' at line 4", ']'],
      ['value', 5, '{"d":2}'],
    ]);
  });

  it('re-reads a long run of cut lines once, whether an error or the end of input closes it', () => {
    // 5,000 keys: under the item's key limit (10,000), past which the item is set aside whole.
    const cut = '{"a":\n'.repeat(5_000);
    const events = scan([Buffer.from(`${cut}]\n{"d":2}\n`)]);
    expect(events.map(([kind, line]) => [kind, line])).toEqual([
      ['malformed', 1],
      ['malformed', 5_000],
      ['malformed', 5_001],
      ['value', 5_002],
    ]);
    expect((events[0]![3] as string).length).toBe('{"a":\n'.length * 4_999 - 1);
    const atEnd = scan([Buffer.from(cut)]);
    expect(atEnd.map(([kind, line]) => [kind, line])).toEqual([
      ['malformed', 1],
      ['malformed', 5_000],
    ]);
  });

  it('reads the good line after a cut line again inside a multi-line array', () => {
    expectScan('[\n{"a":\n{"b":1},\n{"c":2}\n]\n', [
      ['malformed', 2, "expected a property name, found '{' at line 4", '{"a":'],
      ['value', 3, '{"b":1}'],
      ['value', 4, '{"c":2}'],
    ]);
  });

  it('reads no indented object of a bad pretty-printed value again as an item', () => {
    expectScan('{\n  "a": {\n    "b": 1\n  },\n  "c": x\n}\n{"d":4}\n', [
      ['malformed', 1, "expected a value, found 'x' at line 5", '{\n  "a": {\n    "b": 1\n  },'],
      ['value', 5, '"c"'],
      ['malformed', 5, "expected a JSON value, found ':' at line 5", ': x'],
      ['malformed', 6, "expected a JSON value, found '}' at line 6", '}'],
      ['value', 7, '{"d":4}'],
    ]);
  });

  it('treats a raw line break inside a string as an error on that line', () => {
    expectScan('{"a":"x\ny"}\n{"b":1}\n', [
      ['malformed', 1, 'line break inside a string at line 1', '{"a":"x'],
      ['malformed', 2, "expected a JSON value, found 'y' at line 2", 'y"}'],
      ['value', 3, '{"b":1}'],
    ]);
  });

  it('reports a value cut off by the end of input', () => {
    expectScan('{"a":1}\n{"b":[1,2', [
      ['value', 1, '{"a":1}'],
      ['malformed', 2, 'unexpected end of input', '{"b":[1,2'],
    ]);
    expectScan('{"a":"abc', [['malformed', 1, 'unexpected end of input', '{"a":"abc']]);
    expectScan('{"a":1,\n  \n', [['malformed', 1, 'unexpected end of input', '{"a":1,']]);
    expectScan('-', [['malformed', 1, 'unexpected end of input', '-']]);
  });

  it('resumes at the start of the error line when a pretty-printed value breaks on a later line', () => {
    const input = '{\n  "a": 1,\n  "b": tru,\n  "c": 2\n}\n{"d":4}';
    expectScan(input, [
      ['malformed', 1, "invalid literal, found ',' at line 3", '{\n  "a": 1,'],
      ['value', 3, '"b"'],
      ['malformed', 3, "expected a JSON value, found ':' at line 3", ': tru,'],
      ['value', 4, '"c"'],
      ['malformed', 4, "expected a JSON value, found ':' at line 4", ': 2'],
      ['malformed', 5, "expected a JSON value, found '}' at line 5", '}'],
      ['value', 6, '{"d":4}'],
    ]);
  });

  it('sets aside stray text at top level up to the end of its line', () => {
    expectScan('garbage here\n{"a":1}', [
      ['malformed', 1, "expected a JSON value, found 'g' at line 1", 'garbage here'],
      ['value', 2, '{"a":1}'],
    ]);
    expectScan('x{"a":1}\n}\n', [
      ['malformed', 1, "expected a JSON value, found 'x' at line 1", 'x{"a":1}'],
      ['malformed', 2, "expected a JSON value, found '}' at line 2", '}'],
    ]);
  });

  it('names the exact grammar error', () => {
    expectScan('{"a":1.}\n', [['malformed', 1, "invalid number, found '}' at line 1", '{"a":1.}']]);
    expectScan('{"a":nul}\n{"b":1}', [
      ['malformed', 1, "invalid literal, found '}' at line 1", '{"a":nul}'],
      ['value', 2, '{"b":1}'],
    ]);
    expectScan('{"a":"\\x"}', [['malformed', 1, "invalid escape in a string, found 'x' at line 1", '{"a":"\\x"}']]);
    expectScan('"\\u12G4"', [['malformed', 1, "invalid \\u escape in a string, found 'G' at line 1", '"\\u12G4"']]);
    expectScan('{"a":"\t"}', [['malformed', 1, 'unescaped control character U+0009 in a string at line 1', '{"a":"\t"}']]);
    expectScan('{"a" 1}', [['malformed', 1, "expected ':', found '1' at line 1", '{"a" 1}']]);
    expectScan('{,}', [['malformed', 1, "expected a property name or '}', found ',' at line 1", '{,}']]);
    expectScan('{"a":1,}', [['malformed', 1, "expected a property name, found '}' at line 1", '{"a":1,}']]);
    expectScan('{"a":1 "b":2}', [['malformed', 1, "expected ',' or '}', found '\"' at line 1", '{"a":1 "b":2}']]);
    expectScan('{"a":[1 2]}', [['malformed', 1, "expected ',' or ']', found '2' at line 1", '{"a":[1 2]}']]);
    expectScan('{"a":[,]}', [['malformed', 1, "expected a value or ']', found ',' at line 1", '{"a":[,]}']]);
  });

  it('after a missing comma in a multi-line array, reports the array and resumes at the offending byte', () => {
    expectScan('[\n  {"a":1}\n  {"b":2}\n]\n', [
      ['value', 2, '{"a":1}'],
      ['malformed', 1, "expected ',' or ']', found '{' at line 3", '[\n  {"a":1}'],
      ['value', 3, '{"b":2}'],
      ['malformed', 4, "expected a JSON value, found ']' at line 4", ']'],
    ]);
  });

  it('after a bad element of a multi-line array, keeps reading the array', () => {
    expectScan('[\n  {"a":1},\n  {"b":},\n  {"c":3}\n]\n{"d":4}\n', [
      ['value', 2, '{"a":1}'],
      ['malformed', 3, "expected a value, found '}' at line 3", '{"b":},'],
      ['value', 4, '{"c":3}'],
      ['value', 6, '{"d":4}'],
    ]);
  });

  it('after a bad element of a one-line array, drops the rest of the line and reads on at top level', () => {
    expectScan('[{"a":1},{"b":},{"c":3}]\n[{"d":4}]\n', [
      ['value', 1, '{"a":1}'],
      ['malformed', 1, "expected a value, found '}' at line 1", '{"b":},{"c":3}]'],
      ['value', 2, '{"d":4}'],
    ]);
  });

  it('reports an array left open at the end of input from its first line', () => {
    expectScan('[\n  {"a":1},\n  {"b":2}', [
      ['value', 2, '{"a":1}'],
      ['value', 3, '{"b":2}'],
      ['malformed', 1, 'unexpected end of input', '[\n  {"a":1},\n  {"b":2}'],
    ]);
  });

  it('in back-to-back values with no line break, resumes at the next `}{` boundary after an error', () => {
    expectScan('{"a":1}{"b":x}{"c":3}{"d":4}', [
      ['value', 1, '{"a":1}'],
      ['malformed', 1, "expected a value, found 'x' at line 1", '{"b":x}'],
      ['value', 1, '{"c":3}'],
      ['value', 1, '{"d":4}'],
    ]);
    // A cut-off record followed at once by the next one: the error is the '{' right after a nested '}'.
    expectScan('{"a":{"x":1}{"b":2}{"c":3}', [
      ['malformed', 1, "expected ',' or '}', found '{' at line 1", '{"a":{"x":1}'],
      ['value', 1, '{"b":2}'],
      ['value', 1, '{"c":3}'],
    ]);
    // Stray text at top level; a boundary inside a string of a good value; a line end before any boundary.
    expectScan('oops}{"c":3}{"d":"q}{"}{"e":t} x\n{"f":6}', [
      ['malformed', 1, "expected a JSON value, found 'o' at line 1", 'oops}'],
      ['value', 1, '{"c":3}'],
      ['value', 1, '{"d":"q}{"}'],
      ['malformed', 1, "invalid literal, found '}' at line 1", '{"e":t} x'],
      ['value', 2, '{"f":6}'],
    ]);
    expectScan('{"a":tru}{"b":2}\n{"c":"}{" x}{"d":4}\n', [
      ['malformed', 1, "invalid literal, found '}' at line 1", '{"a":tru}'],
      ['value', 1, '{"b":2}'],
      ['malformed', 2, "expected ',' or '}', found 'x' at line 2", '{"c":"}{" x}'],
      ['value', 2, '{"d":4}'],
    ]);
  });

  it('cuts quarantine text at 64 KiB and drops its trailing line end', () => {
    const events = scan([Buffer.from(`x${'a'.repeat(70000)}\n{"b":1}`)]);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual(['malformed', 1, "expected a JSON value, found 'x' at line 1", `x${'a'.repeat(65535)}`]);
    expect(events[1]).toEqual(['value', 2, '{"b":1}']);
    expectScan('oops   \r\n', [['malformed', 1, "expected a JSON value, found 'o' at line 1", 'oops']]);
  });
});

describe('JsonValueScanner: truncation reported by the caller', () => {
  it('names the cause on the value that was cut off', () => {
    expectScan('{"a":1}\n{"b":', [
      ['value', 1, '{"a":1}'],
      ['malformed', 2, 'gzip: unexpected end of file', '{"b":'],
    ], 'gzip: unexpected end of file');
  });

  it('reports the cause at the current line when no value was cut off', () => {
    expectScan('{"a":1}\n', [
      ['value', 1, '{"a":1}'],
      ['malformed', 2, 'gzip: unexpected end of file', ''],
    ], 'gzip: unexpected end of file');
    expect(scan([], 'gzip: incorrect header check')).toEqual([['malformed', 1, 'gzip: incorrect header check', '']]);
  });
});
