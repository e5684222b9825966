/** One error model: a base class with a stable code and exit code, exitCodeOf(), and the README's table. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../../src/config/loadConfig';
import { HecRejectedError, HecUsageError } from '../../../src/sinks/hec/hecErrors';
import { OutputError } from '../../../src/sinks/ndjsonFile';
import { InputError } from '../../../src/sources/inputObject';
import { StateError, StateLockedError } from '../../../src/state/stateErrors';
import { Auth0UsageError, exitCodeOf, isExpectedError } from '../../../src/support/errors';
import { DayAggregateMergeError } from '../../../src/rollup/dayAggregate';
import { declaredErrorClasses, effective } from '../../support/errorClasses';

const ROOT = path.resolve(__dirname, '../../..');
const classes = declaredErrorClasses(path.join(ROOT, 'src'));

test('exitCodeOf: 2 for what is wrong with the command or its config, 1 for a failed run and for anything else', () => {
  expect(exitCodeOf(new ConfigError('x'))).toBe(2);
  expect(exitCodeOf(new HecUsageError('x'))).toBe(2);
  expect(exitCodeOf(new StateError('x'))).toBe(2);
  expect(exitCodeOf(new InputError('x'))).toBe(1);
  expect(exitCodeOf(new OutputError('x'))).toBe(1);
  expect(exitCodeOf(new StateLockedError('x'))).toBe(1);
  expect(exitCodeOf(new HecRejectedError('x', 'token', 403, 4))).toBe(1);
  expect(exitCodeOf(new Error('x'))).toBe(1);
  expect(exitCodeOf('a string')).toBe(1);
});

test('an error carries its class name, code and cause; defects are not "expected"', () => {
  const cause = new Error('EACCES');
  const err = new InputError('cannot read a.gz', { cause });
  expect([err.name, err.code, err.message, err.cause]).toEqual(['InputError', 'ERR_INPUT', 'cannot read a.gz', cause]);
  expect(err).toBeInstanceOf(Auth0UsageError);
  expect(isExpectedError(err)).toBe(true);
  expect(isExpectedError(new DayAggregateMergeError('x'))).toBe(false);
  expect(isExpectedError(new Error('x'))).toBe(false);
});

test('every error class of src/ derives from Auth0UsageError and declares its own unique code', () => {
  expect(classes.length).toBeGreaterThan(30);
  const reachesBase = (name: string): boolean => {
    if (name === 'Auth0UsageError') return true;
    const cls = classes.find((c) => c.name === name);
    return cls !== undefined && reachesBase(cls.parent);
  };
  const wrong = classes.filter((c) => !reachesBase(c.name));
  expect(wrong.map((c) => `${c.file}: ${c.name} extends ${c.parent}`)).toEqual([]);
  const withoutCode = classes.filter((c) => c.code === undefined);
  expect(withoutCode.map((c) => c.name)).toEqual([]);
  const codes = classes.map((c) => c.code);
  expect(new Set(codes).size).toBe(codes.length);
});

test("the README's exit code table lists every code an operator can meet, under its exit code", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### Exit codes');
  const section = readme.slice(start, readme.indexOf('\n### ', start + 5));
  const listed = new Map<string, number>();
  for (const row of section.split('\n').filter((line) => /^\| [0-3] \|/.test(line))) {
    const exit = Number(row.slice(2, 3));
    for (const [, code] of row.matchAll(/`(ERR_[A-Z_0-9]+)`/g)) listed.set(code!, exit);
  }
  const expected = new Map(
    classes
      .filter((c) => c.name !== 'Auth0UsageError' && !c.abstract && !effective(c, classes).internal)
      .map((c) => [c.code!, effective(c, classes).exitCode] as const),
  );
  expect(Object.fromEntries([...listed].sort())).toEqual(Object.fromEntries([...expected].sort()));
});
