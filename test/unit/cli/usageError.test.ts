import { UsageError } from '../../../src/cli/usageError';

test('a usage error ends with the hint to --help once, also when its message has it already', () => {
  expect(new UsageError('--from 2024-03-11 is after --to 2024-03-10').message).toBe('--from 2024-03-11 is after --to 2024-03-10 (see auth0-usage --help)');
  // yargs' failure handler wraps what a flag's check threw: a check that threw a UsageError must not get it twice.
  expect(new UsageError('--to needs a value (see auth0-usage --help)').message).toBe('--to needs a value (see auth0-usage --help)');
  expect(new UsageError('x').code).toBe('ERR_USAGE');
});
