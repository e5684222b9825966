import { UsageError, withCommandHelp } from '../../../src/cli/usageError';

test('a usage error ends with the hint to --help once, also when its message has it already', () => {
  expect(new UsageError('--from 2024-03-11 is after --to 2024-03-10').message).toBe('--from 2024-03-11 is after --to 2024-03-10 (see auth0-usage --help)');
  // yargs' failure handler wraps what a flag's check threw: a check that threw a UsageError must not get it twice.
  expect(new UsageError('--to needs a value (see auth0-usage --help)').message).toBe('--to needs a value (see auth0-usage --help)');
  expect(new UsageError('x').code).toBe('ERR_USAGE');
});

test("the hint names the command's own help, once, and other errors pass through as they are", () => {
  expect((withCommandHelp(new UsageError('--from 2024-03-11 is after --to 2024-03-10'), 'run') as Error).message).toBe('--from 2024-03-11 is after --to 2024-03-10 (see auth0-usage run --help)');
  const twice = withCommandHelp(withCommandHelp(new UsageError('merge needs --state'), 'merge'), 'merge') as Error;
  expect(twice.message).toBe('merge needs --state (see auth0-usage merge --help)');
  const other = new Error('disk full (see auth0-usage --help)');
  expect(withCommandHelp(other, 'run')).toBe(other);
  expect(other.message).toBe('disk full (see auth0-usage --help)');
});
