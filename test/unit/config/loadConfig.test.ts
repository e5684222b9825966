import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/loadConfig';
import { MAX_MATCHED_AUDIENCE_LENGTH } from '../../../src/config/audiencePattern';
import { AudiencePolicy } from '../../../src/rollup/audiencePolicy';
import { oneLineMessage, runCli } from '../../support/cliRunner';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function configFile(text: string): string {
  const file = path.join(dir, 'config.json');
  writeFileSync(file, text);
  return file;
}

describe('prototype keys in the config file', () => {
  // Raw JSON text: JSON.parse keeps "__proto__" as an own key, where an object literal would set the prototype.
  test.each([
    ['{"splunk":{"__proto__":{"index":"evil"}}}', 'splunk.__proto__'],
    ['{"constructor":{"prototype":{"x":1}}}', 'constructor'],
    ['{"categories":{"login_success":["s"],"prototype":["x"]}}', 'categories.prototype'],
    ['{"quotas":{"t":{"__proto__":{}}}}', 'quotas.t.__proto__'],
  ])('%s is refused naming %s', (text, keyPath) => {
    const file = configFile(text);
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(`invalid config ${file}: ${keyPath}: the key '${keyPath.split('.').pop()}' is not allowed`);
  });

  test('the run exits 2 with that one line', async () => {
    const file = configFile('{"splunk":{"__proto__":{"index":"evil"}}}');
    const result = await runCli(['run', '--input', dir, '--config', file]);
    expect(result.code).toBe(2);
    expect(oneLineMessage(result.stderr)).toBe(`invalid config ${file}: splunk.__proto__: the key '__proto__' is not allowed`);
  });
});

describe('auth0.statsTimezone', () => {
  test.each([
    ['utc', 'UTC'],
    ['Etc/UTC', 'UTC'],
    ['europe/paris', 'Europe/Paris'],
    ['AMERICA/NEW_YORK', 'America/New_York'],
    ['Europe/Paris', 'Europe/Paris'],
  ])('%s is read as %s, the one spelling the state records and summaries carry', (given, canonical) => {
    expect(loadConfig(configFile(JSON.stringify({ auth0: { statsTimezone: given } }))).auth0.statsTimezone).toBe(canonical);
  });

  test('UTC when not given; a zone that is not known is refused', () => {
    expect(loadConfig(configFile('{}')).auth0.statsTimezone).toBe('UTC');
    expect(() => loadConfig(configFile(JSON.stringify({ auth0: { statsTimezone: 'Mars/Olympus' } })))).toThrow('auth0.statsTimezone: is not a known IANA time zone');
  });
});

describe('nonBillableAudiences run in linear time', () => {
  test('a pattern RE2 does not accept (a backreference) is a config error', () => {
    const file = configFile(JSON.stringify({ nonBillableAudiences: ['^(a)\\1$'] }));
    expect(() => loadConfig(file)).toThrow(/nonBillableAudiences\.0: is not a valid RE2 regular expression/);
  });

  test('^(a+)+$ against 40 a and a b answers at once (a backtracking engine would take hours)', () => {
    // In a child with a timeout: a backtracking engine needs about 2^40 steps here, so it would be killed, not hang
    // the suite; linear matching takes milliseconds, far inside the 60 s.
    const script = `
      const { AudiencePolicy } = require(${JSON.stringify(path.join(ROOT, 'src/rollup/audiencePolicy.ts'))});
      const policy = new AudiencePolicy(['^(a+)+$']);
      process.stdout.write(JSON.stringify([policy.isBillable('a'.repeat(40) + 'b'), policy.isBillable('a'.repeat(40))]));
    `;
    const child = spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts/ts-register.js'), '-e', script], { timeout: 60_000, encoding: 'utf8' });
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    // 40 a then b does not match (billable); 40 a matches (not billable).
    expect(JSON.parse(child.stdout)).toEqual([true, false]);
  });

  test('an audience past the matched length counts as billable without being matched', () => {
    expect(MAX_MATCHED_AUDIENCE_LENGTH).toBe(1024);
    const policy = new AudiencePolicy(['^a*$']);
    expect(policy.isBillable('a'.repeat(1024))).toBe(false);
    expect(policy.isBillable('a'.repeat(1025))).toBe(true);
  });
});

describe('a config file saved with a byte order mark', () => {
  test('is read as the JSON after it, by the run too', async () => {
    const file = configFile('\uFEFF{"tenant":"bom-tenant","splunk":{"index":"bom_index"}}');
    expect(loadConfig(file).tenant).toBe('bom-tenant');
    const result = await runCli(['run', '--input', path.join(ROOT, 'fixtures/samples'), '--config', file, '--output', '-', '--no-table', '--no-progress', '--log-level', 'error']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.split('\n')[0]!).index).toBe('bom_index');
  });
});
