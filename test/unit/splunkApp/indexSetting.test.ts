/**
 * One index setting: the index the job writes to by default (config/default.json), the index the packed
 * app's macro reads, and the index of the README's HEC example are the same, so an analyst who follows
 * the README word for word finds data in the dashboards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hecSinkOptionsFromArgv, splunkMetadataFrom } from '../../../src/cli/hecOptions';
import { loadConfig } from '../../../src/config/loadConfig';
import { confValue, parseConf } from '../../../src/splunkApp/confFile';
import { ANALYSTS_DOC_PATH, REPO_ROOT } from './helpers/appSources';
import { listTgz } from './helpers/tarListing';

/** Read straight from the file, not through the config loader, so a loader that dropped the key is caught. */
const DEFAULT_INDEX: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'config', 'default.json'), 'utf8')).splunk.index;
const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
/** The README and every user document, where searches and commands are shown. */
const USER_DOCS = [README, ...[ANALYSTS_DOC_PATH, ...['hec.md', 's3.md', 'state.md'].map((name) => join(REPO_ROOT, 'docs', name))].map((file) => readFileSync(file, 'utf8'))];

/** The fenced code blocks of one README section (from its heading to the next heading of any level). */
function codeBlocks(heading: string): string[] {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const end = README.indexOf('\n#', start + heading.length + 2);
  const section = README.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1]);
}

let work: string;
let packedMacroIndex: string | undefined;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'splunk-index-'));
  const out = join(work, 'auth0_usage.tgz');
  const { SOURCE_DATE_EPOCH: _unset, ...env } = process.env;
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'pack-splunk-app.js'), '--out', out], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const macros = listTgz(readFileSync(out)).find((entry) => entry.path === 'auth0_usage/default/macros.conf')!;
  const definition = confValue(parseConf(macros.content.toString('utf8'), 'macros.conf'), 'auth0_usage_index', 'definition');
  packedMacroIndex = /^index=([A-Za-z0-9_-]+)$/.exec(definition ?? '')?.[1];
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the summary index', () => {
  it('is auth0_usage in config/default.json, and the config schema keeps it', () => {
    expect(DEFAULT_INDEX).toBe('auth0_usage');
    expect(loadConfig().splunk.index).toBe('auth0_usage');
  });

  it('is the index the packed app macro auth0_usage_index reads', () => {
    expect(packedMacroIndex).toBe(DEFAULT_INDEX);
  });

  it("is the index of every command in the README's HEC example", () => {
    const indexes = codeBlocks('### Pointing the job at HEC')
      .join('\n')
      .match(/--hec-index \S+/g);
    expect(indexes).toEqual([`--hec-index ${DEFAULT_INDEX}`, `--hec-index ${DEFAULT_INDEX}`]);
  });

  it('is the only index any search or command in the README or the user docs names', () => {
    const all = [...USER_DOCS.join('\n').matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1]).join('\n');
    // Splunk index names are lower case; NAME in a usage line is a placeholder.
    const named = new Set([...all.matchAll(/(?:\bindex=|--hec-index |index ')([a-z0-9_-]+)\b/g)].map((match) => match[1]));
    expect([...named]).toEqual([DEFAULT_INDEX]);
  });

  it('is what the job sends to without --hec-index, and --hec-index still overrides it', () => {
    const config = loadConfig();
    const env = { SPLUNK_HEC_TOKEN: 'tok' };
    const withoutFlag = { 'hec-url': 'https://splunk.example.com:8088' };
    const withFlag = { ...withoutFlag, 'hec-index': 'other' };
    expect(hecSinkOptionsFromArgv(withoutFlag, env, splunkMetadataFrom(withoutFlag, config.splunk))?.index).toBe('auth0_usage');
    expect(hecSinkOptionsFromArgv(withFlag, env, splunkMetadataFrom(withFlag, config.splunk))?.index).toBe('other');
  });
});
