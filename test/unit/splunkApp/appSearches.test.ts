/**
 * Every SPL string the app ships (saved searches and dashboard queries) is balanced, calls only the
 * app's macros with the right arity, and reads only fields that SUMMARY_FIELDS, Splunk or the search
 * itself provides. SUMMARY_FIELDS is the one source of truth: renaming a field there breaks this test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUMMARY_FIELDS } from '../../../src/rollup/summaryEvent';
import { confValue } from '../../../src/splunkApp/confFile';
import { APP_DIR, dashboardSources, loadConf, savedSearchSources, SplSource } from './helpers/appSources';
import { checkFields } from './helpers/splFields';
import { balanceProblems, expandMacros, macroTable } from './helpers/splSyntax';

const SCHEMA: Readonly<Record<string, readonly string[]>> = SUMMARY_FIELDS;
const MACROS = macroTable(loadConf('default/macros.conf'));
const SOURCES: SplSource[] = [...savedSearchSources(), ...dashboardSources()];
const cases = SOURCES.map((source) => [source.origin, source] as const);

describe('the app searches', () => {
  it('number 10 saved searches and 12 dashboard queries', () => {
    expect(savedSearchSources()).toHaveLength(10);
    expect(dashboardSources()).toHaveLength(12);
  });

  it.each(cases)('%s: quotes, parentheses and brackets balance', (_origin, source) => {
    expect(source.spl).not.toBe('');
    expect(balanceProblems(source.spl)).toEqual([]);
  });

  it.each(cases)('%s: calls only macros.conf macros, with their argument count', (_origin, source) => {
    expect(() => expandMacros(source.spl, MACROS)).not.toThrow();
  });

  it.each(cases)('%s: reads only fields of SUMMARY_FIELDS, Splunk, or the search itself', (_origin, source) => {
    expect(checkFields(expandMacros(source.spl, MACROS), SCHEMA).errors).toEqual([]);
  });

  it('macro definitions balance too', () => {
    for (const macro of MACROS.values()) expect(balanceProblems(macro.definition)).toEqual([]);
  });
});

describe('the field check follows SUMMARY_FIELDS', () => {
  const errorsWith = (schema: Readonly<Record<string, readonly string[]>>): Set<string> =>
    new Set(SOURCES.flatMap((source) => checkFields(expandMacros(source.spl, MACROS), schema).errors.map((e) => `${source.origin}: ${e}`)));
  const baseline = errorsWith(SCHEMA);
  const schemaFields = new Set(Object.values(SCHEMA).flat());
  const used = [...new Set(SOURCES.flatMap((source) => checkFields(expandMacros(source.spl, MACROS), SCHEMA).referenced))].filter((field) =>
    schemaFields.has(field),
  );

  it('covers the fields the analysts rely on', () => {
    const relied = ['summary_id', 'generated_at', 'tenant', 'day', 'logins', 'failed_logins', 'signups', 'breached_passwords'];
    expect(used).toEqual(expect.arrayContaining([...relied, 'client_id', 'billable', 'status']));
  });

  it.each(used)('renaming "%s" in SUMMARY_FIELDS makes the searches that use it fail', (field) => {
    const renamed = Object.fromEntries(Object.entries(SCHEMA).map(([kind, fields]) => [kind, fields.map((f) => (f === field ? `${f}_renamed` : f))]));
    const added = [...errorsWith(renamed)].filter((error) => !baseline.has(error));
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((error) => error.includes(`field "${field}"`))).toBe(true);
  });
});

describe('savedsearches.conf', () => {
  const conf = loadConf('default/savedsearches.conf');
  const stanzas = [...conf.values()];
  const alerts = stanzas.filter((stanza) => stanza.settings.has('counttype'));
  const reports = stanzas.filter((stanza) => !stanza.settings.has('counttype'));
  const text = readFileSync(join(APP_DIR, 'default/savedsearches.conf'), 'utf8');

  it('has the reports and alerts the analysts asked for', () => {
    expect(reports.map((stanza) => stanza.name)).toEqual([
      'Auth0 usage - Daily logins, signups and failed logins',
      'Auth0 usage - M2M tokens by client, month to date',
      'Auth0 usage - Quota status',
      'Auth0 usage - Monthly active users',
      'Auth0 usage - Job runs',
    ]);
    expect(alerts.map((stanza) => stanza.name)).toEqual([
      'Auth0 usage - Breached password detections',
      'Auth0 usage - Quota threshold reached - billable M2M tokens',
      'Auth0 usage - Quota threshold reached - monthly active users',
      'Auth0 usage - Job health - run problems',
      'Auth0 usage - Job health - no run in 26 hours',
    ]);
  });

  it.each(stanzas.map((stanza) => [stanza.name, stanza] as const))('%s: describes itself and runs in this app over a set time range', (_name, stanza) => {
    const value = (key: string): string | undefined => stanza.settings.get(key)?.value;
    expect(value('description')?.length).toBeGreaterThan(20);
    expect(value('dispatch.earliest_time')).toMatch(/^-\d+(d|h)(@d)?$/);
    expect(value('dispatch.latest_time')).toBe('now');
    expect(value('request.ui_dispatch_app')).toBe('auth0_usage');
  });

  it.each(reports.map((stanza) => [stanza.name, stanza] as const))('%s: report, enabled and not scheduled', (_name, stanza) => {
    expect(stanza.settings.has('disabled')).toBe(false);
    expect(stanza.settings.has('enableSched')).toBe(false);
  });

  it.each(alerts.map((stanza) => [stanza.name] as const))('%s: alert, scheduled, disabled by default with a comment, firing on any result', (name) => {
    const value = (key: string): string | undefined => confValue(conf, name, key);
    expect(value('disabled')).toBe('1');
    expect(value('enableSched')).toBe('1');
    expect(value('cron_schedule')).toMatch(/^(\S+ ){4}\S+$/);
    expect(value('counttype')).toBe('number of events');
    expect(value('relation')).toBe('greater than');
    expect(value('quantity')).toBe('0');
    expect(value('alert.track')).toBe('1');
    // The comment sits between the stanza header and the next stanza.
    const section = text.slice(text.indexOf(`[${name}]`)).split(/\n\[/)[0];
    expect(section).toMatch(/^# Disabled by default: enable it/m);
  });

  it('alerts on quota only when a threshold was reached, once per tenant, metric, month and threshold', () => {
    for (const [name, metric] of [
      ['Auth0 usage - Quota threshold reached - billable M2M tokens', 'm2m_tokens_billable'],
      ['Auth0 usage - Quota threshold reached - monthly active users', 'active_users'],
    ]) {
      const search = confValue(conf, name, 'search')!;
      expect(search).toContain(`where metric=="${metric}"`);
      expect(search).toContain('where isnotnull(threshold) AND threshold!="null"');
      expect(confValue(conf, name, 'alert.digest_mode')).toBe('0');
      expect(confValue(conf, name, 'alert.suppress.fields')).toBe('tenant,metric,month,threshold');
    }
  });

  it('watches job health: failed or partial runs, malformed or rejected input, spooled events, missing runs', () => {
    const problems = confValue(conf, 'Auth0 usage - Job health - run problems', 'search')!;
    for (const condition of ['status!="ok"', 'malformed, 0) > 0', 'rejected, 0) > 0', 'hec_events_spooled, 0) > 0', 'dedup_unavailable, 0) > 0']) {
      expect(problems).toContain(condition);
    }
    expect(problems).toContain('_index_earliest=-1h@h _index_latest=@h');
    expect(confValue(conf, 'Auth0 usage - Job health - run problems', 'cron_schedule')).toBe('7 * * * *');
    const missing = confValue(conf, 'Auth0 usage - Job health - no run in 26 hours', 'search')!;
    expect(missing).toContain('last_run_time < relative_time(now(), "-26h")');
  });
});
