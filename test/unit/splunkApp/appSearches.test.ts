/**
 * Every SPL string the app ships (saved searches and dashboard queries) is balanced, calls only the
 * app's macros with the right arity, and reads only fields that SUMMARY_FIELDS, Splunk or the search
 * itself provides. SUMMARY_FIELDS is the one source of truth: renaming a field there breaks this test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUMMARY_FIELDS, type RunEvent } from '../../../src/rollup/summaryEvent';
import { DayCoverage } from '../../../src/rollup/coverage';
import { quotaFigures } from '../../../src/rollup/quotaFigures';
import { confValue } from '../../../src/splunkApp/confFile';
import { APP_DIR, dashboardSources, docSources, loadConf, savedSearchSources, SplSource } from './helpers/appSources';
import { checkFields } from './helpers/splFields';
import { balanceProblems, expandMacros, macroTable } from './helpers/splSyntax';

const SCHEMA: Readonly<Record<string, readonly string[]>> = SUMMARY_FIELDS;
const MACROS = macroTable(loadConf('default/macros.conf'));
const SOURCES: SplSource[] = [...savedSearchSources(), ...dashboardSources()];
const cases = SOURCES.map((source) => [source.origin, source] as const);

describe('the app searches', () => {
  it('number 16 saved searches and 19 dashboard queries', () => {
    expect(savedSearchSources()).toHaveLength(16);
    expect(dashboardSources()).toHaveLength(19);
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
      'Auth0 usage - Monthly active users, closed months',
      'Auth0 usage - M2M chargeback by client and audience, closed months',
    ]);
    expect(alerts.map((stanza) => stanza.name)).toEqual([
      'Auth0 usage - Breached password detections',
      'Auth0 usage - Quota threshold reached - billable M2M tokens',
      'Auth0 usage - Quota threshold reached - monthly active users',
      'Auth0 usage - Quota projected to reach the limit',
      'Auth0 usage - Job health - run problems',
      'Auth0 usage - Job health - no run in 26 hours',
      'Auth0 usage - Reconciliation mismatch beyond tolerance',
      'Auth0 usage - Coverage gap longer than the configured minutes',
      'Auth0 usage - Tenant without records on a whole day',
    ]);
  });

  it.each(stanzas.map((stanza) => [stanza.name, stanza] as const))('%s: describes itself and runs in this app over a set time range', (_name, stanza) => {
    const value = (key: string): string | undefined => stanza.settings.get(key)?.value;
    expect(value('description')?.length).toBeGreaterThan(20);
    expect(value('dispatch.earliest_time')).toMatch(/^-\d+(d|h|mon)(@(d|mon))?$/);
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

  it('alerts on reconcile rows beyond the tolerance, and on coverage gaps longer than the macro says', () => {
    expect(confValue(conf, 'Auth0 usage - Reconciliation mismatch beyond tolerance', 'search')).toContain('where status=="mismatch" OR status=="missing_logs"');
    expect(confValue(conf, 'Auth0 usage - Coverage gap longer than the configured minutes', 'search')).toContain('where info_max_time <= now() AND longest_gap_minutes > `auth0_usage_gap_minutes`');
    expect(confValue(loadConf('default/macros.conf'), 'auth0_usage_gap_minutes', 'definition')).toBe('180');
  });

  // A nightly run at 02:15 summarizes its own day as far as the records go: records every 10 minutes up to 02:05 give
  // that day a longest gap of 1,314 minutes (02:06 to midnight), which is no gap at all, only a day not over yet.
  it('judges coverage gaps only on days that are over: the run\'s own day is not', () => {
    const today = DayCoverage.empty('2024-01-02', 'UTC');
    for (let minute = 5; minute <= 125; minute += 10) today.add(Date.parse('2024-01-02T00:00:00Z') + minute * 60_000);
    expect(today.figures().longest_gap_minutes).toBe(1314);
    const dayOver = /\| where info_max_time <= now\(\)/;
    expect(confValue(conf, 'Auth0 usage - Coverage gap longer than the configured minutes', 'search')).toMatch(dayOver);
    // A tenant is silent against the newest day that is over: the run's own day, with records of busy tenants only
    // so far, would make every quiet tenant look silent each night.
    expect(confValue(conf, 'Auth0 usage - Tenant without records on a whole day', 'search')).toMatch(dayOver);
    const panels = dashboardSources().filter((source) => checkFields(expandMacros(source.spl, MACROS), SCHEMA).kinds.includes('coverage'));
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) expect(panel.spl).toMatch(dayOver);
  });

  it('alerts on quota only when a threshold was reached, once per tenant, metric, month and threshold', () => {
    for (const [name, metric] of [
      ['Auth0 usage - Quota threshold reached - billable M2M tokens', 'm2m_tokens_billable'],
      ['Auth0 usage - Quota threshold reached - monthly active users', 'active_users'],
    ]) {
      const search = confValue(conf, name, 'search')!;
      expect(search).toMatch(new RegExp(`where (summary=="quota" AND )?metric=="${metric}"`));
      expect(search).toContain('where isnotnull(threshold) AND threshold!="null"');
      expect(confValue(conf, name, 'alert.digest_mode')).toBe('0');
      expect(confValue(conf, name, 'alert.suppress.fields')).toBe('tenant,metric,month,threshold');
    }
  });

  it('watches job health: failed or partial runs, malformed or rejected input, spooled or refused events, missing runs', () => {
    const name = 'Auth0 usage - Job health - run problems';
    const problems = confValue(conf, name, 'search')!;
    for (const condition of [
      'status!="ok"',
      'malformed, 0) > 0',
      'rejected, 0) > 0',
      'hec_events_spooled, 0) > 0',
      'hec_events_rejected, 0) > 0',
      'dedup_unavailable, 0) > 0',
      "coalesce('auth0_stats_errors.count', 0) > 0",
    ]) {
      expect(problems).toContain(condition);
    }
    // The run event's shape behind those paths: a run whose only trouble is Auth0's statistics ends partial, no error.
    const statsErrors: NonNullable<RunEvent['auth0_stats_errors']> = { count: 1, tenants: [{ tenant: 'tenant1', code: 'ERR_AUTH0_UNREACHABLE' }] };
    expect(Object.keys(statsErrors)).toEqual(['count', 'tenants']);
    expect(problems).toContain("mvjoin('auth0_stats_errors.tenants{}.code', \", \")");
    const missing = confValue(conf, 'Auth0 usage - Job health - no run in 26 hours', 'search')!;
    expect(missing).toContain('last_run_time < relative_time(now(), "-26h")');
  });

  it('looks at run problems over overlapping windows and alerts once per run', () => {
    const name = 'Auth0 usage - Job health - run problems';
    const value = (key: string): string | undefined => confValue(conf, name, key);
    // Hourly runs over the last 26 hours of indexing time: each run event is seen by 26 consecutive
    // searches, so a skipped slot loses nothing; no fixed clock hour (_index_latest=@h) any more.
    expect(value('search')).toContain('summary="run" _index_earliest=-26h \n|');
    expect(value('search')).not.toContain('_index_latest');
    expect(value('cron_schedule')).toBe('7 * * * *');
    // Throttling by run_id needs one alert per result, and must outlast the 26-hour window.
    expect([value('alert.digest_mode'), value('alert.suppress'), value('alert.suppress.fields'), value('alert.suppress.period')]).toEqual([
      '0',
      '1',
      'run_id',
      '2d',
    ]);
    // A run spooled for days and sent late keeps its old _time: the time range reaches back far enough.
    expect(value('dispatch.earliest_time')).toBe('-30d@d');
  });

  it('warns early when the month-end projection of billable M2M tokens reaches a set limit, once per tenant and month', () => {
    const name = 'Auth0 usage - Quota projected to reach the limit';
    const search = confValue(conf, name, 'search')!;
    // projected_month_end is carried by the quota kind (src/rollup/quotaFigures.ts).
    expect(search).toMatch(/^`auth0_usage_latest\(quota\)` \n\| where metric=="m2m_tokens_billable" \n/);
    expect(search).toContain('where isnotnull(limit) AND limit!="null" AND projected_month_end >= limit');
    expect(search).toContain('dedup tenant metric');
    expect(confValue(conf, name, 'alert.digest_mode')).toBe('0');
    expect(confValue(conf, name, 'alert.suppress.fields')).toBe('tenant,metric,month');
  });

  // used of metric active_users is mau_month, distinct users: a linear projection would count each returning user
  // again every day (100 users all month against a limit of 150: 100 × 31 / 5 = 620 on the 5th). The job sends none
  // (quotaFigures); events indexed before it did still carry one, so the searches never read it for that metric.
  it('never projects monthly active users linearly: the projection would fire on a flat MAU', () => {
    expect(quotaFigures('active_users', 100, 150, '2024-05-05', [80, 100])).toMatchObject({ projected_month_end: null, threshold: null });
    const projection = confValue(conf, 'Auth0 usage - Quota projected to reach the limit', 'search')!;
    expect(projection).not.toContain('active_users');
    // Where the quota tables show projected_month_end beside MAU, it is blanked for that metric.
    const tables = [...SOURCES, ...docSources()].filter((source) => source.spl.includes('projected_month_end') && !source.spl.includes('metric=="m2m_tokens_billable"'));
    expect(tables.length).toBeGreaterThan(0);
    for (const source of tables) expect([source.origin, source.spl]).toEqual([source.origin, expect.stringContaining('projected_month_end=if(metric=="active_users", null(), projected_month_end)')]);
  });

  it('ranks closed-month M2M chargeback by billable tokens within each month and tenant', () => {
    const search = confValue(conf, 'Auth0 usage - M2M chargeback by client and audience, closed months', 'search')!;
    expect(search).toContain('where month < strftime(now(), "%Y-%m")');
    expect(search).toContain('by month, tenant, client_id, audience, billable');
    expect(search).toContain('sort 0 -month, tenant, -billable_tokens, -m2m_tokens');
    expect(search).toContain('streamstats count as rank by month, tenant');
  });

  it("takes closed-month MAU from mau_month on each month's last day with data", () => {
    const search = confValue(conf, 'Auth0 usage - Monthly active users, closed months', 'search')!;
    expect(search).toContain('where month < strftime(now(), "%Y-%m")');
    expect(search).toMatch(/sort 0 -day \n\| dedup tenant month /);
    expect(search).toContain('rename mau_month as mau');
  });
});

/** Dashboard panels count as one place (a gauge may have its window_complete table beside it). */
function byPlace(sources: readonly SplSource[]): Map<string, SplSource[]> {
  const places = new Map<string, SplSource[]>();
  for (const source of sources) places.set(source.origin, [...(places.get(source.origin) ?? []), source]);
  return places;
}

describe('what the analysts asked for', () => {
  const fieldsOf = (sources: readonly SplSource[]): Set<string> =>
    new Set(sources.flatMap((source) => checkFields(expandMacros(source.spl, MACROS), SCHEMA).referenced));
  const kindsOf = (sources: readonly SplSource[]): Set<string> =>
    new Set(sources.flatMap((source) => checkFields(expandMacros(source.spl, MACROS), SCHEMA).kinds));
  const places = [...byPlace([...SOURCES, ...docSources()])];

  /** An MAU figure: mau_30d or mau_month, or a quota figure not limited to the M2M metric. */
  const showsMau = (sources: readonly SplSource[]): boolean => {
    const fields = fieldsOf(sources);
    if (fields.has('mau_30d') || fields.has('mau_month')) return true;
    const quotaOfMau = sources.some(
      (source) => checkFields(expandMacros(source.spl, MACROS), SCHEMA).kinds.includes('quota') && !/metric==?"m2m_tokens_billable"/.test(source.spl),
    );
    return quotaOfMau && ['used', 'percent_used', 'projected_month_end'].some((field) => fields.has(field));
  };
  const mauPlaces = places.filter(([, sources]) => showsMau(sources));

  it('finds the places that show an MAU figure (the finder itself works)', () => {
    expect(mauPlaces.map(([origin]) => origin)).toEqual(
      expect.arrayContaining([
        'savedsearches.conf [Auth0 usage - Quota status]',
        'savedsearches.conf [Auth0 usage - Monthly active users]',
        'savedsearches.conf [Auth0 usage - Monthly active users, closed months]',
        'savedsearches.conf [Auth0 usage - Quota threshold reached - monthly active users]',
        'dashboard "Monthly active users, % of quota"',
        'dashboard "Quota status (latest day)"',
        'dashboard "Active users per day"',
        'dashboard "Monthly active users, closed months"',
      ]),
    );
    expect(mauPlaces.map(([origin]) => origin)).not.toContain('savedsearches.conf [Auth0 usage - Quota threshold reached - billable M2M tokens]');
    expect(mauPlaces.map(([origin]) => origin)).not.toContain('savedsearches.conf [Auth0 usage - Quota projected to reach the limit]');
    expect(mauPlaces.map(([origin]) => origin)).not.toContain('dashboard "Billable M2M tokens this month, % of quota"');
  });

  it.each(mauPlaces.map(([origin, sources]) => [origin, sources] as const))('%s shows window_complete beside its MAU figure', (_origin, sources) => {
    expect(fieldsOf(sources).has('window_complete')).toBe(true);
  });

  it('puts the event_type kind in a dashboard panel', () => {
    expect(dashboardSources().filter((source) => kindsOf([source]).has('event_type')).map((source) => source.origin)).toEqual([
      'dashboard "Records per log type, top 20"',
    ]);
  });

  it.each(['savedsearches.conf [Auth0 usage - Job runs]', 'dashboard "Job runs"', 'savedsearches.conf [Auth0 usage - Job health - run problems]'])(
    '%s shows unknown_types, out_of_range and hec_events_rejected',
    (origin) => {
      const fields = fieldsOf(SOURCES.filter((source) => source.origin === origin));
      expect(['unknown_types', 'out_of_range', 'hec_events_rejected'].filter((field) => !fields.has(field))).toEqual([]);
    },
  );

  // Every summary figure comes from the latest version per summary_id, except where the versions themselves
  // are the point (the analysts' guide's search 10 counts them) or only tenant names are listed (the dashboard's input).
  const VERSIONS_ON_PURPOSE = ['dashboard "Tenant"', 'docs/analysts.md search 10'];
  it.each(places.filter(([origin]) => !VERSIONS_ON_PURPOSE.includes(origin)).map(([origin, sources]) => [origin, sources] as const))(
    '%s reads summaries only through auth0_usage_latest',
    (_origin, sources) => {
      for (const source of sources) {
        const kinds = checkFields(expandMacros(source.spl, MACROS), SCHEMA).kinds.filter((kind) => kind !== 'run');
        if (kinds.length > 0) expect(source.spl).toMatch(/^`auth0_usage_latest\(/);
      }
    },
  );
});
