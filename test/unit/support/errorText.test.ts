import { redactSecrets } from '../../../src/support/errorText';

describe('redactSecrets', () => {
  test('replaces the value of each secret variable the job reads, wherever it turns up, whatever its shape', () => {
    // Plain words: no pattern would take them for a credential; only knowing the variables does.
    const env = {
      AUTH0_USAGE_AUTH0_CLIENT_SECRET: 'correcthorsebatterystaple',
      AUTH0_USAGE_HEC_TOKEN: 'quietlittlewords',
      SPLUNK_HEC_TOKEN: 'anotherplainphrase',
    };
    const text = 'echo: correcthorsebatterystaple and quietlittlewords, then anotherplainphrase.';
    expect(redactSecrets(text, env)).toBe('echo: [redacted] and [redacted], then [redacted].');
  });

  test('leaves the value of a variable that is no secret', () => {
    expect(redactSecrets('tenant correcthorsebatterystaple', { AUTH0_USAGE_TENANT: 'correcthorsebatterystaple' })).toBe('tenant correcthorsebatterystaple');
  });
});
