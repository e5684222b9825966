/** The --hec-* flags: flags over config, the token from the environment only, usage errors (exit 2). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import { hecCliOptions, hecSinkOptionsFromArgv, splunkMetadataFrom, spoolDirFrom, withHecOptions } from '../../../src/cli/hecOptions';
import { envForCommand, flagsOf } from '../../../src/cli/envOptions';
import { hecCheckOptions } from '../../../src/cli/hecCheckCommand';
import { loadConfig } from '../../../src/config/loadConfig';
import { resolveHecConfig } from '../../../src/sinks/hec/hecConfig';
import { UsageError } from '../../../src/cli/usageError';
import { resolveHecToken } from '../../../src/sinks/hec/hecToken';
import { tempDir } from '../../support/hecTestKit';

const splunk = { source: 'cfg-source', sourcetype: 'cfg:st', index: 'cfg_index' };
const config = splunkMetadataFrom({}, splunk);
const env = { SPLUNK_HEC_TOKEN: 'tok', HOME: '/home/op' };

/** Parses flags the way the CLI does (options object, strict, AUTH0_USAGE_* variables as a config object). */
async function parse(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ args?: Record<string, unknown>; failure?: string }> {
  let failure: string | undefined;
  const builder = (y: yargs.Argv) => withHecOptions(y) as unknown as yargs.Argv;
  const args = await withHecOptions(yargs(argv))
    .config(envForCommand(env, flagsOf(builder)).flags)
    .strict()
    .exitProcess(false)
    .fail((message) => {
      failure = message;
    })
    .parseAsync();
  return failure ? { failure } : { args: args as Record<string, unknown> };
}

describe('resolveHecToken', () => {
  test('SPLUNK_HEC_TOKEN first, then AUTH0_USAGE_HEC_TOKEN; blank counts as unset', () => {
    expect(resolveHecToken({ SPLUNK_HEC_TOKEN: ' a ', AUTH0_USAGE_HEC_TOKEN: 'b' })).toBe('a');
    expect(resolveHecToken({ SPLUNK_HEC_TOKEN: '  ', AUTH0_USAGE_HEC_TOKEN: 'b' })).toBe('b');
    expect(resolveHecToken({})).toBeUndefined();
  });
});

describe('hecSinkOptionsFromArgv', () => {
  test('no --hec-url: no HEC sink', () => {
    expect(hecSinkOptionsFromArgv({}, env, config)).toBeUndefined();
  });

  test('config supplies index, sourcetype and source; resolveHecConfig fills the rest with the defaults', () => {
    const options = hecSinkOptionsFromArgv({ 'hec-url': 'https://splunk.example.com:8088' }, env, config)!;
    const { retry, baseUrl, ...rest } = resolveHecConfig(options);
    expect(baseUrl.href).toBe('https://splunk.example.com:8088/');
    expect(retry.deadlineMs).toBe(300_000);
    expect(rest).toEqual({
      token: 'tok',
      index: 'cfg_index',
      sourcetype: 'cfg:st',
      source: 'cfg-source',
      insecure: false,
      batchBytes: 524_288,
      timeoutMs: 30_000,
      spoolDir: '/home/op/.local/state/auth0-usage/spool',
    });
  });

  test('flags win over the config file for index, source and sourcetype', () => {
    expect(splunkMetadataFrom({ 'hec-index': 'i', 'hec-source': 's', 'hec-sourcetype': 'st' }, splunk)).toEqual({ index: 'i', source: 's', sourcetype: 'st' });
    expect(splunkMetadataFrom({}, { source: 'a', sourcetype: 'b' })).toEqual({ source: 'a', sourcetype: 'b' });
  });

  test('flags and the environment give the options; seconds become milliseconds', () => {
    const options = hecSinkOptionsFromArgv(
      {
        'hec-url': 'http://hec:8088',
        'hec-index': 'flag_index',
        'hec-sourcetype': 'flag:st',
        'hec-source': 'flag-source',
        'hec-ack': true,
        'hec-timeout': 2.5,
        'hec-deadline': 60,
        'hec-batch-bytes': 100_000,
        spool: '/var/spool/x',
      },
      { AUTH0_USAGE_HEC_TOKEN: 'other' },
      splunkMetadataFrom({ 'hec-index': 'flag_index', 'hec-sourcetype': 'flag:st', 'hec-source': 'flag-source' }, splunk),
    );
    expect(options).toMatchObject({
      token: 'other',
      index: 'flag_index',
      sourcetype: 'flag:st',
      source: 'flag-source',
      ack: true,
      timeoutMs: 2_500,
      retry: { deadlineMs: 60_000 },
      batchBytes: 100_000,
      spoolDir: '/var/spool/x',
    });
  });

  test.each([
    ['no token in the environment', { 'hec-url': 'http://hec:8088' }, {}, '--hec-url needs the HEC token in the environment: set SPLUNK_HEC_TOKEN or AUTH0_USAGE_HEC_TOKEN'],
    ['a HEC flag without --hec-url', { 'hec-index': 'x' }, env, '--hec-index needs --hec-url'],
    ['--hec-ack without --hec-url', { 'hec-ack': true }, env, '--hec-ack needs --hec-url'],
    ['an unreadable CA file', { 'hec-url': 'http://hec:8088', 'hec-ca': '/nonexistent/ca.pem' }, env, 'cannot read --hec-ca /nonexistent/ca.pem: ENOENT'],
    ['--hec-ca with --hec-insecure', { 'hec-url': 'http://hec:8088', 'hec-ca': 'x', 'hec-insecure': true }, env, '--hec-ca and --hec-insecure contradict each other: give one'],
    ['a token with a space', { 'hec-url': 'http://hec:8088' }, { SPLUNK_HEC_TOKEN: 'a b' }, 'the HEC token in the environment contains spaces or control characters'],
  ])('%s is a usage error', (_name, argv, environment, message) => {
    expect(() => hecSinkOptionsFromArgv(argv, environment, config)).toThrow(new UsageError(message));
  });

  test('a CA file that holds no certificate is a usage error', () => {
    const file = path.join(tempDir(), 'ca.pem');
    writeFileSync(file, 'not a certificate');
    expect(() => hecSinkOptionsFromArgv({ 'hec-url': 'http://hec:8088', 'hec-ca': file }, env, config)).toThrow(`--hec-ca ${file} holds no PEM certificate`);
  });
});

describe('HEC flags through yargs', () => {
  test.each([
    [['--hec-url', 'ftp://hec'], '--hec-url must start with https:// or http://, not ftp:'],
    [['--hec-url', 'https://user:pw@hec:8088'], '--hec-url must not contain credentials'],
    [['--hec-url', 'https://hec', '--hec-timeout', '0'], '--hec-timeout must be a number of seconds above 0, got 0'],
    // 0.0004 s is 0.4 ms, which rounds to a timeout of 0: no timeout at all.
    [['--hec-url', 'https://hec', '--hec-timeout', '0.0004'], '--hec-timeout must be at least 1 millisecond, got 0.0004 seconds'],
    // Node's timers hold at most 2^31 - 1 = 2,147,483,647 ms: 2,147,483 whole seconds.
    [['--hec-url', 'https://hec', '--hec-deadline', '2147484'], '--hec-deadline must be at most 2147483 seconds (about 24 days), got 2147484'],
    [['--hec-url', 'https://hec', '--hec-batch-bytes', '10'], '--hec-batch-bytes must be a whole number of bytes of at least 1024, got 10'],
    [['--hec-token', 'abc'], 'the HEC token is read from SPLUNK_HEC_TOKEN or AUTH0_USAGE_HEC_TOKEN only, never from a flag'],
  ])('%j fails with a usage message', async (argv, message) => {
    expect((await parse(argv)).failure).toContain(message);
  });

  test('the longest timeout Node can time, and the shortest that is not 0 ms, are taken', async () => {
    expect((await parse(['--hec-url', 'https://hec', '--hec-timeout', '2147483'])).args!['hec-timeout']).toBe(2147483);
    expect((await parse(['--hec-url', 'https://hec', '--hec-timeout', '0.0005'])).args!['hec-timeout']).toBe(0.0005);
  });

  test('AUTH0_USAGE_HEC_TOKEN in the environment is not a flag and never lands in argv', async () => {
    const { args, failure } = await parse(['--hec-url', 'https://hec:8088', '--hec-timeout', '5'], { AUTH0_USAGE_HEC_TOKEN: 'env-secret-value', AUTH0_USAGE_HEC_INDEX: 'from_env' });
    expect(failure).toBeUndefined();
    expect(JSON.stringify(args)).not.toContain('env-secret-value');
    expect(args!['hec-index']).toBe('from_env');
  });

  test('every flag of the issue exists', () => {
    expect(Object.keys(hecCliOptions).sort()).toEqual(
      ['hec-ack', 'hec-batch-bytes', 'hec-ca', 'hec-deadline', 'hec-index', 'hec-insecure', 'hec-source', 'hec-sourcetype', 'hec-timeout', 'hec-token', 'hec-url', 'spool'].sort(),
    );
  });
});

describe('the default spool', () => {
  const home = { HOME: '/home/op' };

  test('beside a local --state, as <state>.spool (inside it the state would hold a folder not its own)', () => {
    expect(spoolDirFrom({ state: '/var/lib/auth0-usage/state' }, home)).toBe('/var/lib/auth0-usage/state.spool');
    expect(spoolDirFrom({ state: '/var/lib/auth0-usage/state/' }, home)).toBe('/var/lib/auth0-usage/state.spool');
    expect(spoolDirFrom({ state: 'relative/state' }, home)).toBe(path.resolve('relative/state') + '.spool');
  });

  test('with an s3:// state or none: the user state directory, $XDG_STATE_HOME when absolute, else ~/.local/state', () => {
    expect(spoolDirFrom({ state: 's3://bucket/state/' }, { ...home, XDG_STATE_HOME: '/srv/xdg' })).toBe('/srv/xdg/auth0-usage/spool');
    expect(spoolDirFrom({}, { ...home, XDG_STATE_HOME: '/srv/xdg' })).toBe('/srv/xdg/auth0-usage/spool');
    // The XDG spec says a relative value is to be ignored.
    expect(spoolDirFrom({}, { ...home, XDG_STATE_HOME: 'xdg' })).toBe('/home/op/.local/state/auth0-usage/spool');
    expect(spoolDirFrom({}, home)).toBe('/home/op/.local/state/auth0-usage/spool');
  });

  test('--spool wins, and the sink options carry the same default', () => {
    expect(spoolDirFrom({ spool: 'my-spool', state: '/var/lib/state' }, home)).toBe('my-spool');
    expect(hecSinkOptionsFromArgv({ 'hec-url': 'https://hec:8088', state: '/var/lib/state' }, env, config)!.spoolDir).toBe('/var/lib/state.spool');
  });

  test('--help names it, not the working directory', async () => {
    const help = await withHecOptions(yargs([])).wrap(null).getHelp();
    expect(help).toContain('[default: <state>.spool beside a local --state, else $XDG_STATE_HOME/auth0-usage/spool (~/.local/state/auth0-usage/spool without it)]');
    expect(help).not.toContain('./.auth0-usage');
  });
});

describe('--hec-index in --help', () => {
  test("names the shipped default index (config/default.json), not the token's default", async () => {
    const help = await withHecOptions(yargs([])).wrap(null).getHelp();
    const shipped = loadConfig().splunk.index;
    expect(shipped).toBe('auth0_usage');
    expect(help).toContain(`[default: config splunk.index, ${shipped}]`);
    expect(help).not.toContain("token's default");
  });

  test('the hec-check example uses the shipped index', async () => {
    const help = await hecCheckOptions(yargs([])).wrap(null).getHelp();
    expect(help).toContain('--hec-index auth0_usage');
    expect(help).not.toContain('--hec-index summary');
  });
});
