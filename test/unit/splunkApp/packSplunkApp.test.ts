/**
 * Runs scripts/pack-splunk-app.js as `npm run splunk-app` would, into a temp dir, and checks the package
 * against Splunk's app layout with an independent reader (test helper) and with the system's tar.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confValue, parseConf } from '../../../src/splunkApp/confFile';
import { APP_DIR, REPO_ROOT } from './helpers/appSources';
import { listTgz, TarListingEntry } from './helpers/tarListing';

const SCRIPT = join(REPO_ROOT, 'scripts', 'pack-splunk-app.js');
/** The release version, read from package.json itself: the packed app must carry it. */
const PACKAGE_VERSION: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;
const APP_CONF = 'auth0_usage/default/app.conf';
const EXPECTED_ENTRIES = [
  'auth0_usage/',
  'auth0_usage/README.md',
  'auth0_usage/default/',
  'auth0_usage/default/app.conf',
  'auth0_usage/default/data/',
  'auth0_usage/default/data/ui/',
  'auth0_usage/default/data/ui/nav/',
  'auth0_usage/default/data/ui/nav/default.xml',
  'auth0_usage/default/data/ui/views/',
  'auth0_usage/default/data/ui/views/auth0_usage_overview.xml',
  'auth0_usage/default/macros.conf',
  'auth0_usage/default/props.conf',
  'auth0_usage/default/savedsearches.conf',
  'auth0_usage/metadata/',
  'auth0_usage/metadata/default.meta',
  'auth0_usage/static/',
  'auth0_usage/static/appIcon.png',
  'auth0_usage/static/appIconAlt.png',
  'auth0_usage/static/appIconAlt_2x.png',
  'auth0_usage/static/appIcon_2x.png',
];

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'splunk-app-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function pack(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const { SOURCE_DATE_EPOCH: _unset, ...baseEnv } = process.env;
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: REPO_ROOT, env: { ...baseEnv, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('pack-splunk-app.js', () => {
  let archivePath: string;
  let entries: TarListingEntry[];

  beforeAll(() => {
    archivePath = join(work, 'out', 'auth0_usage.tgz');
    const result = pack(['--out', archivePath]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`auth0_usage ${PACKAGE_VERSION}, 20 entries`);
    entries = listTgz(readFileSync(archivePath));
  });

  it('puts the app folder auth0_usage/ first and nothing but the app files under it', () => {
    expect(entries.map((entry) => entry.path)).toEqual(EXPECTED_ENTRIES);
  });

  it('writes valid ustar headers: types, modes, owner 0, one fixed mtime', () => {
    const mtime = Date.UTC(2025, 0, 1) / 1000;
    for (const entry of entries) {
      const directory = entry.path.endsWith('/');
      expect({ path: entry.path, typeflag: entry.typeflag, mode: entry.mode }).toEqual({
        path: entry.path,
        typeflag: directory ? '5' : '0',
        mode: directory ? 0o755 : 0o644,
      });
      expect([entry.uid, entry.gid, entry.mtime, entry.magic, entry.checksumValid]).toEqual([0, 0, mtime, 'ustar\u000000', true]);
    }
  });

  it('stores each file but app.conf byte for byte', () => {
    for (const entry of entries.filter((e) => e.typeflag === '0' && e.path !== APP_CONF)) {
      expect(entry.content.equals(readFileSync(join(APP_DIR, entry.path.slice('auth0_usage/'.length))))).toBe(true);
    }
  });

  it("has the app.conf and default.meta Splunk needs to install it, with package.json's version", () => {
    const appConf = entries.find((entry) => entry.path === APP_CONF)!;
    const conf = parseConf(appConf.content.toString('utf8'), 'app.conf');
    expect(confValue(conf, 'id', 'version')).toBe(PACKAGE_VERSION);
    expect(confValue(conf, 'launcher', 'version')).toBe(PACKAGE_VERSION);
    const [major, minor, patch] = PACKAGE_VERSION.split('.').map(Number);
    expect(confValue(conf, 'install', 'build')).toBe(String(major * 1_000_000 + minor * 1_000 + patch));
    expect(confValue(conf, 'package', 'id')).toBe('auth0_usage');
    expect(confValue(conf, 'ui', 'label')).toBe('Auth0 Usage');
    expect(entries.some((entry) => entry.path === 'auth0_usage/metadata/default.meta' && entry.size > 0)).toBe(true);
  });

  it('changes nothing else in app.conf: only the three version lines differ from the source', () => {
    const source = readFileSync(join(APP_DIR, 'default', 'app.conf'), 'utf8').split('\n');
    const packed = entries.find((entry) => entry.path === APP_CONF)!.content.toString('utf8').split('\n');
    expect(packed).toHaveLength(source.length);
    const changed = packed.flatMap((line, i) => (line === source[i] ? [] : [[source[i], line]]));
    const [major, minor, patch] = PACKAGE_VERSION.split('.').map(Number);
    expect(changed).toEqual([
      ['version = 0.0.0', `version = ${PACKAGE_VERSION}`],
      ['build = 0', `build = ${major * 1_000_000 + minor * 1_000 + patch}`],
      ['version = 0.0.0', `version = ${PACKAGE_VERSION}`],
    ]);
  });

  it('reads the same with the system tar, and extracts to the same bytes', () => {
    expect(execFileSync('tar', ['-tzf', archivePath], { encoding: 'utf8' }).trim().split('\n')).toEqual(EXPECTED_ENTRIES);
    const extracted = join(work, 'extracted');
    mkdirSync(extracted);
    execFileSync('tar', ['-xzf', archivePath, '-C', extracted]);
    for (const path of EXPECTED_ENTRIES.filter((p) => !p.endsWith('/'))) {
      const packed = entries.find((entry) => entry.path === path)!.content;
      expect(readFileSync(join(extracted, path)).equals(packed)).toBe(true);
    }
  });

  it('gives the same bytes every time, and takes its dates from SOURCE_DATE_EPOCH', () => {
    const again = join(work, 'again.tgz');
    expect(pack(['--out', again]).status).toBe(0);
    expect(readFileSync(again).equals(readFileSync(archivePath))).toBe(true);

    const dated = join(work, 'dated.tgz');
    expect(pack(['--out', dated], { SOURCE_DATE_EPOCH: '86400' }).status).toBe(0);
    expect(new Set(listTgz(readFileSync(dated)).map((entry) => entry.mtime))).toEqual(new Set([86400]));
  });

  it('leaves out local settings, hidden files and editor leftovers, and says so', () => {
    const copy = join(work, 'dirty', 'auth0_usage');
    cpSync(APP_DIR, copy, { recursive: true });
    mkdirSync(join(copy, 'local'));
    writeFileSync(join(copy, 'local', 'app.conf'), '[ui]\nlabel = mine\n');
    writeFileSync(join(copy, 'metadata', 'local.meta'), '[]\n');
    writeFileSync(join(copy, '.DS_Store'), 'x');
    writeFileSync(join(copy, 'default', 'macros.conf~'), 'x');

    const out = join(work, 'dirty.tgz');
    const result = pack(['--app-dir', copy, '--out', out]);
    expect(result.status).toBe(0);
    expect(listTgz(readFileSync(out)).map((entry) => entry.path)).toEqual(EXPECTED_ENTRIES);
    expect(result.stderr.trim().split('\n')).toEqual([
      'skipped .DS_Store (hidden file)',
      'skipped default/macros.conf~ (editor or build leftover)',
      "skipped local/ (local/ holds one installation's own changes)",
      "skipped metadata/local.meta (local.meta holds one installation's own permissions)",
    ]);
  });

  it('refuses a folder whose name is not the [package] id', () => {
    const copy = join(work, 'renamed', 'auth0_usage_copy');
    cpSync(APP_DIR, copy, { recursive: true });
    const result = pack(['--app-dir', copy, '--out', join(work, 'renamed.tgz')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[package] id "auth0_usage" differs from the folder name "auth0_usage_copy"');
  });

  it('refuses an app.conf without a version line to write into', () => {
    const copy = join(work, 'unversioned', 'auth0_usage');
    cpSync(APP_DIR, copy, { recursive: true });
    const appConf = join(copy, 'default', 'app.conf');
    writeFileSync(appConf, readFileSync(appConf, 'utf8').replace('[launcher]\n', '[launcher]\n# ').replace(/^version = 0\.0\.0$/m, ''));
    const result = pack(['--app-dir', copy, '--out', join(work, 'unversioned.tgz')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('app.conf has no [id] version for the pack to write the version into');
  });

  it('refuses unknown arguments', () => {
    const result = pack(['--output', 'x.tgz']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown or incomplete argument "--output"');
  });
});
