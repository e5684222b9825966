import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { oneLineMessage, runCli } from '../support/cliRunner';

const ARCHIVE = path.resolve(__dirname, '../../fixtures/e2e/archives/c-webhook.ndjson');
let dir: string;
let logs: string;
let victim: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-paths-'));
  logs = path.join(dir, 'logs');
  mkdirSync(logs);
  victim = path.join(logs, 'victim.ndjson');
  copyFileSync(ARCHIVE, victim);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `message`: the usage error's own words; its line ends with the hint every usage error ends with. */
async function refused(args: string[], message: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const result = await runCli(['run', '--no-table', '--log-level', 'silent', ...args], env);
  expect(result.code).toBe(2);
  expect(oneLineMessage(result.stderr)).toBe(`${message} (see auth0-usage run --help)`);
  // Refused before anything was read or written: the archive is as it was, and no other file appeared.
  expect(readFileSync(victim)).toEqual(readFileSync(ARCHIVE));
}

describe('outputs that would overwrite an input, be read back as input or collide are refused (exit 2, naming both)', () => {
  test('--output the input file itself', async () => {
    await refused(['-i', victim, '-o', victim], `--output ${victim} is the input ${victim}: refusing to overwrite an input`);
  });

  test('--quarantine the input file, spelled through .. ', async () => {
    const spelled = path.join(logs, '..', 'logs', 'victim.ndjson');
    await refused(['-i', victim, '--quarantine', spelled], `--quarantine ${spelled} is the input ${victim}: refusing to overwrite an input`);
  });

  test('--output in a new subfolder of an input folder', async () => {
    const out = path.join(logs, 'out', 'summaries.ndjson');
    await refused(['-i', logs, '-o', out], `--output ${out} lies inside the input folder ${logs}: the next run would read it back as input`);
    expect(existsSync(path.join(logs, 'out'))).toBe(false);
  });

  test('--output through a symlink that leads into the input folder', async () => {
    const link = path.join(dir, 'link');
    symlinkSync(logs, link);
    const out = path.join(link, 'summaries.ndjson');
    await refused(['-i', logs, '-o', out], `--output ${out} lies inside the input folder ${logs}: the next run would read it back as input`);
  });

  test('the HEC spool folder inside an input folder', async () => {
    const spool = path.join(logs, 'spool');
    await refused(
      ['-i', logs, '--hec-url', 'https://127.0.0.1:1', '--spool', spool],
      `--spool ${spool} lies inside the input folder ${logs}: the next run would read it back as input`,
      { SPLUNK_HEC_TOKEN: '00000000-0000-0000-0000-000000000000' },
    );
  });

  test('the default spool inside an input folder is named as the default (no --spool was given)', async () => {
    const spool = path.join(logs, '.local', 'state', 'auth0-usage', 'spool');
    await refused(
      ['-i', logs, '-o', path.join(dir, 'out.ndjson'), '--hec-url', 'https://127.0.0.1:1'],
      `the default --spool ${spool} lies inside the input folder ${logs}: the next run would read it back as input`,
      { SPLUNK_HEC_TOKEN: '00000000-0000-0000-0000-000000000000', XDG_STATE_HOME: path.join(logs, '.local', 'state') },
    );
  });

  test('the --state folder inside an input folder: its day files and ledger would be read as archives', async () => {
    const state = path.join(logs, 'state');
    await refused(['-i', logs, '--state', state], `--state ${state} lies inside the input folder ${logs}: the next run would read it back as input`);
    expect(existsSync(state)).toBe(false);
  });

  test('an S3 --state under an S3 input prefix', async () => {
    await refused(
      ['-i', 's3://acme-auth0-logs/', '--state', 's3://acme-auth0-logs/auth0-usage/state/'],
      '--state s3://acme-auth0-logs/auth0-usage/state/ lies under the input prefix s3://acme-auth0-logs/: the next run would read it back as input',
    );
    await refused(
      ['-i', 's3://acme-auth0-logs/firehose', '--state', 's3://acme-auth0-logs/firehose-state'],
      '--state s3://acme-auth0-logs/firehose-state lies under the input prefix s3://acme-auth0-logs/firehose: the next run would read it back as input',
    );
  });

  test('--output inside the --state folder: the state\'s clean-up would take its temporary file for its own', async () => {
    const state = path.join(dir, 'state');
    const out = path.join(state, 'summaries.ndjson');
    await refused(
      ['-i', logs, '-o', out, '--state', state],
      `--output ${out} lies inside the --state folder ${state}: the state removes temporary files there that it did not finish; give it a path outside`,
    );
    expect(existsSync(state)).toBe(false);
  });

  test('--output through a symlink and .. into the --state folder: .. is taken after the link, as the kernel does', async () => {
    const state = path.join(dir, 'state');
    mkdirSync(path.join(state, 'sub'), { recursive: true });
    symlinkSync(path.join(state, 'sub'), path.join(dir, 'deep'));
    const out = path.join(dir, 'deep', '..', 'summaries.ndjson');
    // Spelled so that path.resolve() would drop "deep/..": the file would land beside the link, outside the state.
    const spelled = `${path.join(dir, 'deep')}${path.sep}..${path.sep}summaries.ndjson`;
    expect(out).toBe(path.join(dir, 'summaries.ndjson'));
    await refused(
      ['-i', logs, '-o', spelled, '--state', state],
      `--output ${spelled} lies inside the --state folder ${state}: the state removes temporary files there that it did not finish; give it a path outside`,
    );
  });

  test('--output through a folder still to be made, .., then a link: the link is followed, as the kernel will', async () => {
    const state = path.join(dir, 'state');
    mkdirSync(state);
    symlinkSync(state, path.join(dir, 'stlink'));
    symlinkSync(logs, path.join(dir, 'inlink'));
    const intoState = `${path.join(dir, 'nomiss')}${path.sep}..${path.sep}stlink${path.sep}out.ndjson`;
    await refused(
      ['-i', logs, '-o', intoState, '--state', state],
      `--output ${intoState} lies inside the --state folder ${state}: the state removes temporary files there that it did not finish; give it a path outside`,
    );
    const intoInput = `${path.join(dir, 'nomiss2')}${path.sep}..${path.sep}inlink${path.sep}x.ndjson`;
    await refused(['-i', logs, '-o', intoInput], `--output ${intoInput} lies inside the input folder ${logs}: the next run would read it back as input`);
    expect(existsSync(path.join(dir, 'nomiss'))).toBe(false);
  });

  test('--output inside the default spool folder is named as the default', async () => {
    const xdg = path.join(dir, 'xdg');
    const spool = path.join(xdg, 'auth0-usage', 'spool');
    const out = path.join(spool, 'summaries.ndjson');
    await refused(
      ['-i', logs, '-o', out, '--hec-url', 'https://127.0.0.1:1'],
      `--output ${out} lies inside the default --spool folder ${spool}: the spool sends, and removes, the files it finds there; give it a path outside`,
      { SPLUNK_HEC_TOKEN: '00000000-0000-0000-0000-000000000000', XDG_STATE_HOME: xdg },
    );
  });

  test('--quarantine inside the HEC spool folder', async () => {
    const spool = path.join(dir, 'spool');
    const bad = path.join(spool, 'bad.ndjson');
    await refused(
      ['-i', logs, '-o', path.join(dir, 'out.ndjson'), '--quarantine', bad, '--hec-url', 'https://127.0.0.1:1', '--spool', spool],
      `--quarantine ${bad} lies inside the --spool folder ${spool}: the spool sends, and removes, the files it finds there; give it a path outside`,
      { SPLUNK_HEC_TOKEN: '00000000-0000-0000-0000-000000000000' },
    );
    expect(existsSync(spool)).toBe(false);
  });

  test('--output and --quarantine one file, however spelled: one would replace the other', async () => {
    const out = path.join(dir, 'same.ndjson');
    const spelled = path.join(dir, 'logs', '..', 'same.ndjson');
    await refused(['-i', logs, '-o', out, '--quarantine', spelled], `--quarantine ${spelled} is also the --output: give each its own path`);
    expect(existsSync(out)).toBe(false);
  });

  test('an output beside the input folder (a prefix of its name) is allowed', async () => {
    const out = path.join(dir, 'logs-out.ndjson');
    const result = await runCli(['run', '--no-table', '--log-level', 'silent', '-i', logs, '-o', out]);
    expect(result.code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});
