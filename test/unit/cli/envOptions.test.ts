import { PassThrough } from 'node:stream';
import { envForCommand, flagsOf } from '../../../src/cli/envOptions';
import { main } from '../../../src/cli/main';
import { runOptions } from '../../../src/cli/runCommand';
import { oneLineMessage } from '../../support/cliRunner';

const run = flagsOf(runOptions);

describe('two variables for one flag', () => {
  test('an alias and its flag with different values are a usage error naming both', () => {
    expect(() => envForCommand({ AUTH0_USAGE_TZ: 'America/New_York', AUTH0_USAGE_TIMEZONE: 'Europe/Berlin' }, run)).toThrow(
      'AUTH0_USAGE_TIMEZONE and AUTH0_USAGE_TZ both set --timezone, to different values: set one of them',
    );
    expect(() => envForCommand({ AUTH0_USAGE_LOCK_STALE_MINUTES: '30', AUTH0_USAGE_LOCK_EXPIRY_MINUTES: '60' }, run)).toThrow(
      'AUTH0_USAGE_LOCK_EXPIRY_MINUTES and AUTH0_USAGE_LOCK_STALE_MINUTES both set --lock-expiry-minutes, to different values: set one of them',
    );
  });

  test('a boolean and its NO_ form that disagree are a usage error; that agree, one setting', () => {
    expect(() => envForCommand({ AUTH0_USAGE_PROGRESS: 'true', AUTH0_USAGE_NO_PROGRESS: 'true' }, run)).toThrow(
      'AUTH0_USAGE_NO_PROGRESS and AUTH0_USAGE_PROGRESS both set --progress, to different values: set one of them',
    );
    expect(envForCommand({ AUTH0_USAGE_PROGRESS: 'false', AUTH0_USAGE_NO_PROGRESS: 'yes' }, run).flags).toEqual({ progress: 'false' });
  });

  test('the same value twice is one setting; a single variable is taken as before', () => {
    expect(envForCommand({ AUTH0_USAGE_TZ: 'UTC', AUTH0_USAGE_TIMEZONE: 'UTC' }, run).flags).toEqual({ tz: 'UTC', timezone: 'UTC' });
    expect(envForCommand({ AUTH0_USAGE_TZ: 'Asia/Tokyo' }, run).flags).toEqual({ tz: 'Asia/Tokyo' });
  });

  test('auth0-usage run exits 2 with one line, before reading anything', async () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const code = await main(['run', '-i', 'fixtures/samples/webhook', '--no-table'], {
      stdout: new PassThrough(),
      stderr,
      env: { AUTH0_USAGE_TZ: 'America/New_York', AUTH0_USAGE_TIMEZONE: 'Europe/Berlin' },
    });
    expect(code).toBe(2);
    // stderr is not a terminal: run's log, and so its one line, is JSON.
    expect(oneLineMessage(text)).toBe('AUTH0_USAGE_TIMEZONE and AUTH0_USAGE_TZ both set --timezone, to different values: set one of them (see auth0-usage run --help)');
  });
});

// A templated variable left empty means "not set" for a boolean; a number's was read as 0 ('got 0', exit 2).
test('an empty variable of a number flag counts as unset, an alias too; a blank string flag is kept', () => {
  expect(envForCommand({ AUTH0_USAGE_CONCURRENCY: '', AUTH0_USAGE_LOCK_STALE_MINUTES: ' ', AUTH0_USAGE_HEC_INDEX: '' }, run).flags).toEqual({ 'hec-index': '' });
  expect(envForCommand({ AUTH0_USAGE_CONCURRENCY: '3' }, run).flags).toEqual({ concurrency: '3' });
});
