import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { decodeThreadCount, decodeThreadsStarted } from '../../src/decode/decodeWorkerPool';
import { closingLine, oneLineMessage, readNdjson, runCli } from '../support/cliRunner';
import { terminalScreen } from '../support/terminalScreen';

const FIXTURES = path.resolve(__dirname, '../../fixtures/e2e/archives');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('usage and config errors exit 2 with one line', () => {
  test.each([
    [['run', '--input', FIXTURES, '--timezone', 'Mars/Olympus'], /unknown time zone 'Mars\/Olympus'/],
    [['run', '--input', FIXTURES, '--from', '2024-02-30'], /--from 2024-02-30 is not a day of the calendar/],
    [['run', '--input', FIXTURES, '--to', '2024-2-3'], /--to must be a day written YYYY-MM-DD, got '2024-2-3'/],
    [['run', '--input', FIXTURES, '--from', '2024-03-11', '--to', '2024-03-10'], /--from 2024-03-11 is after --to 2024-03-10/],
    [['run'], /--input/],
    [['run', '--input', FIXTURES, '--bogus-flag'], /^Unknown argument: bogus-flag \(see auth0-usage run --help\)$/],
    [['run', '--input', FIXTURES, '--concurrency', 'abc'], /--concurrency must be a whole number from 1 to 1024, got something that is not a number/],
    // Past these a run hung deaf to SIGTERM (a million readers of eight files) or failed after delivering (a date
    // a billion days back): refused as they are parsed.
    [['run', '--input', FIXTURES, '--concurrency', '1025'], /^--concurrency must be a whole number from 1 to 1024, got 1025 \(see auth0-usage run --help\)$/],
    [['run', '--input', FIXTURES, '--decode-threads', '257'], /^--decode-threads must be a whole number from 0 to 256, got 257/],
    [['run', '--input', FIXTURES, '--output', 'x.ndjson', '--state', 'st', '--dedup-days', '1e9'], /^--dedup-days must be a whole number from 1 to 36500, got 1000000000/],
    [['run', '--input', FIXTURES, '--input', 's3://'], /--input invalid S3 URL s3:\/\/: expected s3:\/\/bucket\/prefix/],
    [[], /name a command/],
    // A flag that takes one value, given twice (yargs makes it a list): said once, before anything runs.
    [['run', '--input', FIXTURES, '--state', 'a', '--state', 'b'], /^--state is given more than once: give it once \(see auth0-usage run --help\)$/],
    [['run', '--input', FIXTURES, '--log-level', 'error', '--log-level', 'info'], /^--log-level is given more than once/],
    [['status', '--state', 'a', '--state', 'b'], /^--state is given more than once/],
    // Flags whose value is checked as it is parsed: the check saw the list ('got 2,3', 'out.replace is not a function').
    [['run', '--input', FIXTURES, '--concurrency', '2', '--concurrency', '3'], /^--concurrency is given more than once: give it once \(see auth0-usage run --help\)$/],
    [['run', '--input', FIXTURES, '--hec-url', 'http://a:1', '--hec-url', 'http://b:1'], /^--hec-url is given more than once: give it once \(see auth0-usage run --help\)$/],
    [['run', '--input', FIXTURES, '--s3-endpoint', 'http://a:1', '--s3-endpoint', 'http://b:1'], /^--s3-endpoint is given more than once: give it once \(see auth0-usage run --help\)$/],
    [['status', '--state', 'a', '--lock-expiry-minutes', '1', '--lock-stale-minutes', '2'], /^--lock-expiry-minutes is given more than once: give it once \(see auth0-usage status --help\)$/],
  ])('%j', async (args, message) => {
    const result = await runCli(args as string[]);
    expect(result.code).toBe(2);
    // One line, plain or (run, whose log is JSON here) JSON with the error's code: never a stack trace.
    expect(oneLineMessage(result.stderr)).toMatch(message);
  });

  // yargs' own messages for a bad choice or a missing flag with a hint run over two lines; the second lacked the prefix.
  // Every usage error ends with the same hint, whoever finds it: yargs, a flag's check, a variable, the command.
  test.each([
    [['run', '--input', FIXTURES, '--log-format', 'xml'], 'Invalid values: Argument: log-format, Given: "xml", Choices: "json", "text" (see auth0-usage run --help)'],
    [['status'], 'status needs --state: give the --state to show (a folder or s3://bucket/prefix), or --spool DIR to count only a spool (see auth0-usage status --help)'],
    [['run', '--input', FIXTURES, '--shard', '5/4'], '--shard 5/4: the index runs from 0 to 3 (see auth0-usage run --help)'],
    [['run', '--input', FIXTURES, '--from', '2024-03-11', '--to', '2024-03-10'], '--from 2024-03-11 is after --to 2024-03-10 (see auth0-usage run --help)'],
    [['run', '--input', FIXTURES, '--no-decode-workers', '--decode-threads', '2'], '--no-decode-workers and --decode-threads 2 contradict each other: give one of them (see auth0-usage run --help)'],
    [['hec-check'], 'hec-check needs --hec-url (see auth0-usage hec-check --help)'],
    // A misspelt required flag is named, not the flag it was meant to be: yargs checks required flags first, and
    // said `Missing required argument: input` of a command line that gives `--inptu`.
    [['run', '--inptu', FIXTURES], 'Unknown argument: inptu (see auth0-usage run --help)'],
    [['run', '--input-dir', FIXTURES, '--outptu', 'x.ndjson'], 'Unknown arguments: input-dir, outptu (see auth0-usage run --help)'],
    [['merge', '--shard', '4', '--state', 'st', '--output', 'x.ndjson'], 'Unknown argument: shard (see auth0-usage merge --help)'],
    // Without a misspelt flag, the missing one is what to fix.
    [['run', FIXTURES], 'Missing required argument: input: give at least one --input (a file, a directory or an s3:// URL) (see auth0-usage run --help)'],
  ])('%j is refused on one line', async (args, line) => {
    const result = await runCli(args as string[]);
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toBe(line);
  });

  // A flag whose value was left off (the last word, or followed by another flag) ran as if not given: `--from`
  // summarized every day, `--input` alone read nothing and exited 0, `--concurrency` said 'got undefined'.
  test.each([
    [['run', '--input', FIXTURES, '--from'], '--from'],
    [['run', '--input', FIXTURES, '--to', '--no-table'], '--to'],
    [['run', '--input', FIXTURES, '--max-item-bytes'], '--max-item-bytes'],
    [['run', '--input', FIXTURES, '--quarantine'], '--quarantine'],
    [['run', '--input', FIXTURES, '--config'], '--config'],
    [['run', '--input', FIXTURES, '--concurrency'], '--concurrency'],
    [['run', '--input', FIXTURES, '--tz'], '--tz'],
    [['run', '--input'], '--input'],
    [['run', '-i', '--no-table'], '-i'],
    [['merge', '--state', 'st', '--shards', '2', '--spool'], '--spool'],
    [['status', '--spool'], '--spool'],
    [['hec-check', '--hec-url', 'http://127.0.0.1:1', '--hec-index'], '--hec-index'],
    [['auth0-check', '--auth0-domain'], '--auth0-domain'],
  ])('%j: a flag without its value is refused, naming it', async (args, flag) => {
    const result = await runCli(args as string[]);
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toBe(`${flag} needs a value (see auth0-usage ${(args as string[])[0]} --help)`);
    expect(result.stdout).toBe('');
  });

  // yargs answers a last word `help` as it answers --help, but without setting args.help: once main printed what
  // yargs said only for args.help, `auth0-usage help` printed nothing and said 'unknown command undefined' (exit 2),
  // and `run help` ran with no --input (a TypeError, exit 1 with a stack trace).
  test.each([
    [['help'], 'auth0-usage <command> [options]\n'],
    [['run', 'help'], 'auth0-usage run\n'],
    [['status', 'help'], 'auth0-usage status\n'],
  ])('%j prints the help, exit 0, and runs nothing', async (args, firstLine) => {
    const result = await runCli(args as string[]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(firstLine)).toBe(true);
    expect(result.stdout).toContain('--help');
  });

  // A number flag given an empty value (`--concurrency ""`, `--concurrency "$N"` with N unset) was read as 0: the
  // check said 'got 0' of a value nobody gave, and `--decode-threads ""` (0 allowed) ran on one thread, exit 0.
  // Every number flag of every command, each once; an alias is named as its flag, as a flag given twice is.
  test.each([
    [['run', '--input', FIXTURES, '--concurrency', ''], '--concurrency'],
    [['run', '--input', FIXTURES, '--concurrency='], '--concurrency'],
    [['run', '--input', FIXTURES, '--decode-threads', ''], '--decode-threads'],
    [['run', '--input', FIXTURES, '--max-item-bytes', ' '], '--max-item-bytes'],
    [['run', '--input', FIXTURES, '--max-item-keys', ''], '--max-item-keys'],
    [['run', '--input', FIXTURES, '--s3-stall-seconds', ''], '--s3-stall-seconds'],
    [['run', '--input', FIXTURES, '--shards', ''], '--shards'],
    [['run', '--input', FIXTURES, '--hec-url', 'http://127.0.0.1:1', '--hec-timeout', ''], '--hec-timeout'],
    [['run', '--input', FIXTURES, '--hec-url', 'http://127.0.0.1:1', '--hec-batch-bytes', ''], '--hec-batch-bytes'],
    [['run', '--input', FIXTURES, '--hec-url', 'http://127.0.0.1:1', '--hec-deadline', ''], '--hec-deadline'],
    [['run', '--input', FIXTURES, '--output', 'o.ndjson', '--state', 'st', '--dedup-days', ''], '--dedup-days'],
    [['run', '--input', FIXTURES, '--output', 'o.ndjson', '--state', 'st', '--checkpoint-objects', ''], '--checkpoint-objects'],
    [['run', '--input', FIXTURES, '--output', 'o.ndjson', '--state', 'st', '--checkpoint-minutes', ''], '--checkpoint-minutes'],
    [['run', '--input', FIXTURES, '--output', 'o.ndjson', '--state', 'st', '--resident-days', ''], '--resident-days'],
    [['run', '--input', FIXTURES, '--concurrency', '2', '--concurrency', ''], '--concurrency'],
    // yargs takes a flag's camel-case spelling too: `--checkpointObjects ""` was read as 0 ('got 0').
    [['run', '--input', FIXTURES, '--output', 'o.ndjson', '--state', 'st', '--checkpointObjects', ''], '--checkpoint-objects'],
    [['run', '--input', FIXTURES, '--decodeThreads='], '--decode-threads'],
    [['merge', '--state', 'st', '--shards', ''], '--shards'],
    [['merge', '--state', 'st', '--shards', '2', '--lock-stale-minutes', ''], '--lock-expiry-minutes'],
    [['status', '--state', 'st', '--lock-expiry-minutes', ''], '--lock-expiry-minutes'],
    [['hec-check', '--hec-url', 'http://127.0.0.1:1', '--hec-timeout='], '--hec-timeout'],
  ])('%j: a number flag given an empty value is refused as one given none', async (args, flag) => {
    const result = await runCli(args as string[]);
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toBe(`${flag} needs a value (see auth0-usage ${(args as string[])[0]} --help)`);
    expect(result.stdout).toBe('');
  });

  test('an empty AUTH0_USAGE_<number flag> still counts as unset: the command runs with the default', async () => {
    const spool = path.join(dir, 'spool');
    const result = await runCli(['status', '--spool', spool], { AUTH0_USAGE_LOCK_EXPIRY_MINUTES: '', AUTH0_USAGE_HEC_TIMEOUT: ' ' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  // `--input ""` (or AUTH0_USAGE_INPUT= left empty) failed as an unreadable input, exit 1, after the run started.
  test.each([
    [['run', '--input', ''], {}],
    [['run', '--input', FIXTURES, '--input', ''], {}],
    [['run'], { AUTH0_USAGE_INPUT: '' }],
  ])('%j %j: an empty --input is a usage error', async (args, env) => {
    const result = await runCli(args as string[], env as NodeJS.ProcessEnv);
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toBe('--input is empty: give a file, a directory or an s3:// URL (see auth0-usage run --help)');
  });

  // Words after `--` were dropped: `run -i DIR -- --output out.ndjson` ran, exit 0, and wrote no output.
  test.each([
    [['run', '--input', FIXTURES, '--', '--output', 'out.ndjson']],
    [['status', '--spool', 'sp', '--', 'extra']],
  ])('%j: words after -- are refused', async (args) => {
    const result = await runCli(args as string[]);
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toMatch(/^Unknown argument after --: --output|^Unknown argument after --: extra/);
    expect(result.stdout).toBe('');
  });

  // run and merge take an empty --state (a templated AUTH0_USAGE_STATE=) as none given; status read the working folder.
  test.each([
    [['status', '--state', ''], {}],
    [['status'], { AUTH0_USAGE_STATE: '' }],
  ])('status %j %j: an empty --state is refused, the working folder is not read as the state', async (args, env) => {
    const result = await runCli(args as string[], env as NodeJS.ProcessEnv);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('auth0-usage: status needs --state: give the --state to show (a folder or s3://bucket/prefix), or --spool DIR to count only a spool (see auth0-usage status --help)\n');
    expect(result.stdout).toBe('');
  });

  test('status with a --spool that is a file says so on one line, exit 2, without a stack trace', async () => {
    const spool = path.join(dir, 'spool-file');
    writeFileSync(spool, 'not a folder\n');
    const result = await runCli(['status', '--state', path.join(dir, 'state'), '--spool', spool]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`auth0-usage: --spool ${spool} is not a folder (see auth0-usage status --help)\n`);
    expect(result.stdout).toBe('');
  });

  // As --s3-endpoint and --hec-url refuse user:password@, so does an s3:// URL: and without echoing the URL.
  test.each([
    [['run', '--input', 's3://AKIAEXAMPLE:wJalrSECRET@bucket/prefix']],
    [['run', '--input', FIXTURES, '--state', 's3://AKIAEXAMPLE:wJalrSECRET@bucket/state']],
    [['status', '--state', 's3://AKIAEXAMPLE:wJalrSECRET@bucket/state']],
  ])('%j: credentials in an s3:// URL are refused without echoing them', async (args) => {
    const result = await runCli(args as string[]);
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toMatch(/s3:\/\/ URL must not contain credentials \(user:password@\)/);
    expect(result.stderr).not.toMatch(/AKIAEXAMPLE|wJalrSECRET/);
  });

  test('a bad config names the field and the reason', async () => {
    const config = path.join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ timezone: 'Nowhere/Land', categories: { login_success: 'not-a-list' } }));
    const result = await runCli(['run', '--input', FIXTURES, '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid config .*bad\.json: (timezone|categories\.login_success): /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a config that is not JSON', async () => {
    const config = path.join(dir, 'broken.json');
    writeFileSync(config, '{ "tenant": ');
    const result = await runCli(['run', '--input', FIXTURES, '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`config ${config} is not valid JSON`);
  });

  // A secret file given as --config by mistake (a HEC token file, a .env): Node's JSON.parse message quotes the
  // file's first characters, and the error line would carry them into the job's logs.
  test.each([
    ['hec_token', 'tokenabcdef-5b7d-4c9e-a0f1-2d3e4f5a6b7c\n', 'tokenabcdef'.slice(1, 10)],
    ['usage.env', 'AUTH0_USAGE_SECRET=s3cr3tvalue\n', 'UTH0_USAG'],
    ['short.json', 'hunter22', 'unter22'],
  ])('a config %s that is not JSON is named without quoting its content', async (name, content, quoted) => {
    const config = path.join(dir, name);
    writeFileSync(config, content);
    const result = await runCli(['hec-check', '--hec-url', 'http://127.0.0.1:1', '--config', config], { SPLUNK_HEC_TOKEN: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`auth0-usage: config ${config} is not valid JSON`);
    expect(result.stderr).not.toContain(quoted);
  });
});

describe('runtime outcomes', () => {
  test('an empty AUTH0_USAGE_QUARANTINE (or --quarantine \'\') is none given: the inputs are read', async () => {
    // '' was taken as the run's own quarantine file at the working folder, and every input under it was left out as
    // the run's output: nothing read, exit 0. The run works in `dir`, which holds the input.
    const input = path.join(dir, 'in');
    mkdirSync(input);
    for (const name of readdirSync(FIXTURES)) writeFileSync(path.join(input, name), readFileSync(path.join(FIXTURES, name)));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const [args, env] of [[['--quarantine', ''], {}], [[], { AUTH0_USAGE_QUARANTINE: '' }]] as const) {
        const output = path.join(dir, 'out.ndjson');
        const result = await runCli(['run', '--input', 'in', '--output', output, '--log-format', 'json', '--no-table', ...args], env);
        expect([result.code, result.stderr]).toEqual([0, expect.not.stringContaining('input holds no files')]);
        const run = readNdjson(readFileSync(output, 'utf8')).find((e) => e.event.summary === 'run')!;
        expect(run.event.records).toBeGreaterThan(0);
        expect(readdirSync(dir).sort()).toEqual(['in', 'out.ndjson']);
      }
    } finally {
      process.chdir(cwd);
    }
  });

  test('an input path that cannot be read exits 1 naming the path, without a stack trace', async () => {
    const missing = path.join(dir, 'no-such-dir');
    const output = path.join(dir, 'out.ndjson');
    const result = await runCli(['run', '--input', missing, '--output', output, '--log-format', 'json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // The failed run still reports itself, and no summaries are written.
    const events = readNdjson(readFileSync(output, 'utf8'));
    expect(events.map((e) => [e.event.summary, e.event.status])).toEqual([['run', 'failed']]);
  });

  test.each(['--output', '--quarantine'])('%s in a folder that cannot be made (under /proc) fails at once with ENOENT, before reading', async (flag) => {
    // Node's recursive mkdir would loop there forever, deaf to signals.
    const target = '/proc/auth0-usage-nope/x.ndjson';
    const args = ['run', '--input', FIXTURES, '--log-format', 'json', '--no-table', '--output', flag === '--output' ? target : path.join(dir, 'out.ndjson')];
    if (flag === '--quarantine') args.push('--quarantine', target);
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(closingLine(result.stderr)).toMatchObject({ level: 'error', code: 'ERR_OUTPUT', exit_code: 1, msg: `cannot write ${target}: ENOENT` });
    expect(result.stderr).not.toMatch(/"msg":"run started"/);
  });

  test.each(['--output', '--quarantine'])('%s naming a folder stops the run before it reads, and the state stays as it was', async (flag) => {
    const state = path.join(dir, 'state');
    const folder = path.join(dir, 'taken');
    mkdirSync(folder);
    const output = flag === '--output' ? folder : path.join(dir, 'out.ndjson');
    const args = ['run', '--input', FIXTURES, '--state', state, '--output', output, '--log-format', 'json', '--no-table'];
    // With --output refused, the quarantine file made just before it must not leave its temp file behind.
    args.push('--quarantine', flag === '--quarantine' ? folder : path.join(dir, 'q.ndjson'));
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(closingLine(result.stderr)).toMatchObject({ level: 'error', code: 'ERR_OUTPUT', exit_code: 1, msg: `cannot write ${folder}: it is a folder` });
    expect(result.stderr).not.toMatch(/"msg":"run started"/);
    expect(readdirSync(dir).sort()).toEqual(['state', 'taken']); // no output, no temp file
    // The state committed nothing and is not left locked: the same run with good paths reads all three archives.
    const again = await runCli(['run', '--input', FIXTURES, '--state', state, '--output', path.join(dir, 'out.ndjson'), '--no-table']);
    expect(again.code).toBe(0);
    const run = readNdjson(readFileSync(path.join(dir, 'out.ndjson'), 'utf8')).pop().event;
    expect([run.objects, run.status]).toEqual([3, 'ok']);
  });

  test('an empty input, and files without a single log record, are warned about in the log', async () => {
    const empty = path.join(dir, 'empty');
    const junk = path.join(dir, 'junk');
    mkdirSync(empty);
    mkdirSync(junk);
    writeFileSync(path.join(junk, 'notes.txt'), 'shopping list\nmilk\n');
    const result = await runCli(['run', '--input', empty, '--input', junk, '--no-table', '--log-format', 'json']);
    expect(result.code).toBe(0);
    const warnings = result.stderr.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.level === 'warn');
    expect(warnings.find((l) => l.input === empty)?.msg).toBe('input holds no files or objects: check the path or prefix');
    expect(warnings.find((l) => l.input === junk)).toBeUndefined();
    const none = warnings.find((l) => l.msg === 'no log records in the files read: are they Auth0 log archives?');
    expect([none?.objects, none?.malformed]).toEqual([1, 2]); // two lines, neither of them JSON
    // With --from/--to an S3 listing leaves out keys dated outside the days, so an empty input is only noted.
    const ranged = await runCli(['run', '--input', empty, '--from', '2024-03-10', '--to', '2024-03-10', '--no-table', '--log-format', 'json']);
    const lines = ranged.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.input === empty).map((l) => [l.level, l.msg])).toEqual([['info', 'input holds no files or objects for the --from/--to days']]);
  });

  test('--checkpoint-* without --state: a warning that they apply only with one, and the run goes on', async () => {
    const result = await runCli(['run', '--input', FIXTURES, '--output', path.join(dir, 'out.ndjson'), '--checkpoint-objects', '5', '--checkpoint-minutes', '1', '--no-table', '--log-format', 'json']);
    expect(result.code).toBe(0);
    const warned = result.stderr.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.level === 'warn' && l.flags !== undefined);
    expect(warned.map((l) => [l.flags, l.msg])).toEqual([
      [['--checkpoint-objects', '--checkpoint-minutes'], '--checkpoint-objects and --checkpoint-minutes apply only with --state: a run without one commits nothing to resume from'],
    ]);
  });

  test('--output - writes NDJSON to stdout and the table is skipped', async () => {
    const result = await runCli(['run', '--input', FIXTURES, '--output', '-', '--log-format', 'json']);
    expect(result.code).toBe(0);
    const events = readNdjson(result.stdout);
    expect(events.filter((e) => e.event.summary === 'daily')).toHaveLength(3); // UTC: acme 03-09, acme 03-10, globex 03-11
    expect(events[events.length - 1].event.summary).toBe('run');
  });

  test('a custom config changes categories, the default tenant and the Splunk metadata', async () => {
    const config = path.join(dir, 'custom.json');
    writeFileSync(config, JSON.stringify({ categories: { login_success: ['s', 'ss'] }, splunk: { index: 'auth0_summary', sourcetype: 'auth0:usage:test' } }));
    const output = path.join(dir, 'out.ndjson');
    const result = await runCli(['run', '--input', FIXTURES, '--config', config, '--output', output, '--timezone', 'America/New_York', '--log-format', 'json']);
    expect(result.code).toBe(0);
    const events = readNdjson(readFileSync(output, 'utf8'));
    const acme10 = events.find((e) => e.event.summary === 'daily' && e.event.tenant === 'acme' && e.event.day === '2024-03-10');
    // L04 (ss) now also counts as a login.
    expect([acme10.event.logins, acme10.event.signups]).toEqual([1, 1]);
    expect(events.every((e) => e.index === 'auth0_summary' && e.sourcetype === 'auth0:usage:test')).toBe(true);
  });

  test('flags can come from AUTH0_USAGE_* environment variables', async () => {
    const output = path.join(dir, 'env.ndjson');
    const result = await runCli(['run', '--input', FIXTURES, '--log-format', 'json'], {
      AUTH0_USAGE_OUTPUT: output,
      AUTH0_USAGE_TIMEZONE: 'America/New_York',
    });
    expect(result.code).toBe(0);
    const events = readNdjson(readFileSync(output, 'utf8'));
    expect(events.find((e) => e.event.summary === 'daily').event.tz).toBe('America/New_York');
  });

  test('AUTH0_USAGE_NO_<FLAG>=true turns a boolean flag off; variables that no command takes are ignored with a warning', async () => {
    const output = path.join(dir, 'env.ndjson');
    const result = await runCli(['run', '--input', FIXTURES, '--log-format', 'json'], {
      AUTH0_USAGE_OUTPUT: output,
      AUTH0_USAGE_NO_TABLE: 'true',
      AUTH0_USAGE_NOT_A_FLAG: 'x',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(''); // no table
    // --log-format json: the warning is a JSON line like every other (it was the one plain line among them).
    const lines = result.stderr.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { level: string; msg: string; variable?: string });
    const ignoring = lines.filter((l) => l.msg.startsWith('ignoring'));
    expect(ignoring.map((l) => [l.level, l.variable, l.msg])).toEqual([['warn', 'AUTH0_USAGE_NOT_A_FLAG', 'ignoring AUTH0_USAGE_NOT_A_FLAG: no command has such a flag']]);
    expect(readNdjson(readFileSync(output, 'utf8')).at(-1).event.status).toBe('ok');
  });

  // yargs takes flags before the command too: the variables were then read for no command (the flag's value, 'json',
  // was taken for the command's name), and AUTH0_USAGE_OUTPUT was dropped without a word.
  test('variables still apply when a flag comes before the command', async () => {
    const output = path.join(dir, 'before.ndjson');
    const result = await runCli(['--log-format', 'json', 'run', '--input', FIXTURES, '--no-table'], { AUTH0_USAGE_OUTPUT: output, AUTH0_USAGE_TIMEZONE: 'America/New_York' });
    expect(result.code).toBe(0);
    const events = readNdjson(readFileSync(output, 'utf8'));
    expect(events.at(-1).event.status).toBe('ok');
    expect(events.find((e) => e.event.summary === 'daily').event.tz).toBe('America/New_York');
  });

  test('with --log-format text the ignored variable is one plain line', async () => {
    const result = await runCli(['run', '--input', FIXTURES, '--log-format', 'text', '--no-table'], { AUTH0_USAGE_NOT_A_FLAG: 'x' });
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe('auth0-usage: ignoring AUTH0_USAGE_NOT_A_FLAG: no command has such a flag');
  });

  test('one environment serves every command: a variable of another command is left out quietly', async () => {
    const result = await runCli(['status', '--state', path.join(dir, 'state')], {
      AUTH0_USAGE_INPUT: FIXTURES, // a flag of run, not of status
      AUTH0_USAGE_TIMEZONE: 'UTC',
      AUTH0_USAGE_NOT_A_FLAG: 'x',
    });
    expect(result.code).toBe(0);
    expect(result.stderr.trim()).toBe('auth0-usage: ignoring AUTH0_USAGE_NOT_A_FLAG: no command has such a flag');
  });

  test.each([
    ['yes', true],
    ['1', true],
    ['ON', true],
    ['no', false],
    ['0', false],
    ['False', false],
  ])('a boolean variable reads %j as %j', async (value, table) => {
    const result = await runCli(['run', '--input', FIXTURES, '--output', path.join(dir, 'o.ndjson')], { AUTH0_USAGE_TABLE: value });
    expect(result.code).toBe(0);
    expect(result.stdout.includes('tenant')).toBe(table);
  });

  test('an empty boolean variable counts as unset, and AUTH0_USAGE_VERSION / _HELP do not replace the run', async () => {
    const output = path.join(dir, 'o.ndjson');
    const result = await runCli(['run', '--input', FIXTURES, '--output', output], { AUTH0_USAGE_TABLE: '', AUTH0_USAGE_VERSION: '1', AUTH0_USAGE_HELP: 'true' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('tenant'); // the table, on by default
    expect(readNdjson(readFileSync(output, 'utf8')).at(-1).event.status).toBe('ok');
  });

  test('a boolean variable that is neither true nor false is a usage error, not a silent false', async () => {
    const result = await runCli(['run', '--input', FIXTURES], { AUTH0_USAGE_HEC_ACK: 'banana' });
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toBe("AUTH0_USAGE_HEC_ACK must be true or false (or 1/0, yes/no, on/off), got 'banana' (see auth0-usage run --help)");
  });

  test('a bad AWS_ENDPOINT_URL_S3 is a usage error in one line', async () => {
    const result = await runCli(['run', '--input', FIXTURES], { AWS_ENDPOINT_URL_S3: 'not a url' });
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toBe('AWS_ENDPOINT_URL_S3 must be an http:// or https:// URL, got "not a url"');
  });

  test('every log line of a run carries its run_id, the same as the run event', async () => {
    const output = path.join(dir, 'out.ndjson');
    const result = await runCli(['run', '--input', FIXTURES, '--output', output, '--no-table', '--log-format', 'json']);
    const runId = readNdjson(readFileSync(output, 'utf8')).at(-1).event.run_id;
    const lines = result.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect([line.msg, line.run_id]).toEqual([line.msg, runId]);
  });

  test('an input that breaks mid-read is named in the one-line error', async () => {
    const output = path.join(dir, 'out.ndjson');
    // A directory where a file is expected makes the read fail after listing.
    const result = await runCli(['run', '--input', path.join(FIXTURES, 'c-webhook.ndjson', 'nope'), '--output', output, '--log-format', 'json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('c-webhook.ndjson');
  });

  test('the per-day table goes to stdout when the output is a file', async () => {
    const output = path.join(dir, 'out.ndjson');
    const result = await runCli(['run', '--input', FIXTURES, '--output', output, '--timezone', 'America/New_York', '--log-format', 'json']);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^tenant\s+day\s+logins\s+failed\s+signups\s+active\s+breached\s+m2m\s+billable\s+events$/);
    expect(lines[1]).toMatch(/^acme\s+2024-03-09\s+2\s+1\s+0\s+2\s+0\s+1\s+1\s+4$/);
    expect(result.stdout).toContain('3 files, 15 records, 2 duplicates, 2 malformed, 1 rejected, 0 out of range; unknown types: zz_new_event');
    expect(existsSync(output)).toBe(true);
  });

  test('the decode threads end with the reading: idle threads would keep their memory through the summaries', async () => {
    // Threads given: by default an input this small is decoded on the main thread.
    const started = decodeThreadsStarted();
    const result = await runCli(['run', '--input', FIXTURES, '--output', path.join(dir, 'out.ndjson'), '--no-table', '--decode-threads', '2']);
    expect(result.code).toBe(0);
    expect(decodeThreadsStarted()).toBeGreaterThan(started);
    expect(decodeThreadCount()).toBe(0);
  });

  // `docker run -t … --log-format json`: stderr is a terminal, yet the lines are for a machine. A bar drawn there
  // glued its escape codes in front of the JSON lines, and lowered the log level to warn ('run finished' went missing).
  /** The CLI in-process with stderr a terminal: its exit code and what it wrote there. */
  async function onTerminal(args: string[], env: NodeJS.ProcessEnv, columns = 120): Promise<{ code: number; stderr: string }> {
    const { main } = await import('../../src/cli/main');
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns });
    const err: Buffer[] = [];
    stderr.on('data', (c: Buffer) => err.push(c));
    stdout.resume();
    const code = await main(args, { stdout, stderr, env });
    return { code, stderr: Buffer.concat(err).toString('utf8') };
  }

  test('--log-format json on a terminal: no progress bar, every stderr line one JSON object, run finished logged', async () => {
    const result = await onTerminal(['run', '--input', FIXTURES, '--no-table', '--log-format', 'json'], {});
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').filter((l) => l !== '');
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string; level: string; records?: number });
    const finished = parsed.find((l) => l.msg === 'run finished');
    expect([finished?.level, finished?.records]).toEqual(['info', 15]);
  });

  // A warning during the bar (a file of junk, a signal) was written onto the bar's own line, and the bar's end jumped
  // back to where it had started, so the lines after it overwrote the warning.
  test('on a terminal, a warning during the progress bar stands on a line of its own and stays on screen', async () => {
    const input = path.join(dir, 'input');
    mkdirSync(input);
    for (const name of readdirSync(FIXTURES)) writeFileSync(path.join(input, name), readFileSync(path.join(FIXTURES, name)));
    writeFileSync(path.join(input, 'junk.ndjson'), 'not json\n');
    // Each file with items set aside is warned of (the fixtures have two) while the bar is shown.
    const result = await onTerminal(['run', '--input', input, '--output', path.join(dir, 'out.ndjson'), '--no-table', '--decode-threads', '0'], {});
    expect(result.code).toBe(0);
    const screen = terminalScreen(result.stderr, 120);
    const warnings = screen.filter((line) => line.includes('input items set aside'));
    expect(warnings).toEqual([...'abc'].map(() => expect.stringMatching(/^warn input items set aside run_id=\S+ object=\S+ malformed=\d+ rejected=\d+$/)));
    // The bar's last state is shown once, whole, below them.
    const bars = screen.filter((line) => line.includes('objects |'));
    expect(bars).toEqual([expect.stringMatching(/^=+ 4\/4 objects \| /)]);
    expect(screen.indexOf(bars[0]!)).toBeGreaterThan(screen.indexOf(warnings.at(-1)!));
  });

  // cli-progress turned the terminal's line wrapping off while the bar was shown: a warning longer than the terminal
  // lost its end (the object, the counts) under the last column, or had its last character overwritten.
  test('on a narrow terminal, a warning during the progress bar wraps whole, and the bar fits the width', async () => {
    const input = path.join(dir, 'input');
    mkdirSync(input);
    for (const name of readdirSync(FIXTURES)) writeFileSync(path.join(input, name), readFileSync(path.join(FIXTURES, name)));
    writeFileSync(path.join(input, 'junk.ndjson'), 'not json\n');
    const result = await onTerminal(['run', '--input', input, '--output', path.join(dir, 'out.ndjson'), '--no-table', '--decode-threads', '0'], {}, 60);
    expect(result.code).toBe(0);
    const screen = terminalScreen(result.stderr, 60);
    const warnings = screen.filter((line) => line.includes('input items set aside'));
    expect(warnings).toEqual([...'abc'].map(() => expect.stringMatching(/^warn input items set aside run_id=\S+ object=\S+ malformed=\d+ rejected=\d+$/)));
    expect(warnings).toContainEqual(expect.stringContaining(`object=${path.join(input, 'junk.ndjson')} malformed=1 rejected=0`));
    const bars = screen.filter((line) => line.includes('objects'));
    expect(bars).toEqual([expect.stringMatching(/^=+ 4\/4 objects/)]);
    expect(bars[0]!.trimEnd().length).toBeLessThanOrEqual(60);
  });

  // The same asked for as AUTH0_USAGE_LOG_FORMAT=json (a container's env): a bad variable beside it was said as a plain
  // `auth0-usage: …` line, the format being read only once the other variables had been.
  test.each([
    [{ AUTH0_USAGE_PROGRESS: 'maybe' }, /^AUTH0_USAGE_PROGRESS must be true or false/],
    [{ AUTH0_USAGE_TZ: 'UTC', AUTH0_USAGE_TIMEZONE: 'Europe/Berlin' }, /^AUTH0_USAGE_TIMEZONE and AUTH0_USAGE_TZ both set --timezone/],
  ])('AUTH0_USAGE_LOG_FORMAT=json on a terminal, with %j: the usage error is one JSON line', async (bad, message) => {
    const result = await onTerminal(['run', '--input', FIXTURES, '--no-table'], { AUTH0_USAGE_LOG_FORMAT: 'json', ...bad });
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toMatch(message);
    expect(result.stderr).toMatch(/^\{"level":"error"/);
  });

  // A CronJob's command line does not show a flag its environment gave: the line names the variable to fix.
  test.each([
    [['run', '--input', FIXTURES, '--no-table'], { AUTH0_USAGE_CONCURRENCY: 'four' }, 'AUTH0_USAGE_CONCURRENCY (--concurrency) must be a whole number from 1 to 1024, got something that is not a number (see auth0-usage run --help)'],
    [['run', '--input', FIXTURES, '--no-table'], { AUTH0_USAGE_STATE: FIXTURES }, `AUTH0_USAGE_STATE (--state) ${FIXTURES} is the input ${FIXTURES}: refusing to overwrite an input (see auth0-usage run --help)`],
    [['status'], { AUTH0_USAGE_LOCK_STALE_MINUTES: '0', AUTH0_USAGE_STATE: 'st' }, 'AUTH0_USAGE_LOCK_STALE_MINUTES (--lock-expiry-minutes) must be a number of minutes above 0, got 0 (see auth0-usage status --help)'],
    [['run', '--input', FIXTURES, '--no-table', '--decode-threads', '2'], { AUTH0_USAGE_DECODE_WORKERS: 'false' }, 'AUTH0_USAGE_DECODE_WORKERS (--no-decode-workers) and --decode-threads 2 contradict each other: give one of them (see auth0-usage run --help)'],
    // Given on the command line as well, the flag is what was refused: said as before.
    [['run', '--input', FIXTURES, '--no-table', '--concurrency', '0'], { AUTH0_USAGE_CONCURRENCY: 'four' }, '--concurrency must be a whole number from 1 to 1024, got 0 (see auth0-usage run --help)'],
    // Left empty, a variable counts as none given: not named.
    [['run', '--no-table'], { AUTH0_USAGE_INPUT: '' }, '--input is empty: give a file, a directory or an s3:// URL (see auth0-usage run --help)'],
  ])('%j with %j: a usage error names the variable that gave the flag', async (args, env, message) => {
    const result = await runCli(args, { ...env, AUTH0_USAGE_LOG_FORMAT: 'text' });
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toBe(message);
  });

  // A path holding a line break made the closing line two, the last naming no path.
  test('a closing line quoting a path with a line break stays one line', async () => {
    const input = path.join(dir, 'a\nb');
    const result = await runCli(['run', '--input', input, '--no-table', '--log-format', 'text']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`auth0-usage: cannot read input ${dir}/a\\nb: no such file or directory`);
    // The log's lines before it too.
    expect(lines.every((line) => /^(auth0-usage:|info|warn|error) /.test(line))).toBe(true);
  });

  test('logs are JSON lines on stderr when asked', async () => {
    const result = await runCli(['run', '--input', FIXTURES, '--no-table', '--log-format', 'json']);
    const lines = result.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['run started', 'run finished']));
    const finished = lines.find((l) => l.msg === 'run finished');
    expect([finished.level, finished.records, finished.status]).toEqual(['info', 15, 'ok']);
  });

  test('the run-started line names the state as the run resolved it: a relative --state as an absolute folder', async () => {
    const state = path.join(dir, 'state');
    const relative = path.relative(process.cwd(), state);
    expect(path.isAbsolute(relative)).toBe(false);
    const result = await runCli(['run', '--input', FIXTURES, '--output', path.join(dir, 'out.ndjson'), '--state', relative, '--log-format', 'json']);
    expect(result.code).toBe(0);
    const started = result.stderr.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.msg === 'run started');
    expect(started.state).toBe(state);
  });
});
