import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUMMARY_FIELDS } from '../../../src/rollup/summaryEvent';
import { confValue, parseConf } from '../../../src/splunkApp/confFile';
import { APP_DIR, appFilePaths, dashboardSources, loadConf, loadDashboard } from './helpers/appSources';
import { macroTable } from './helpers/splSyntax';
import { childNamed, elementsNamed, parseXml, textOf } from './helpers/xmlTree';

describe('the Splunk app folder', () => {
  it('holds exactly the files of the app', () => {
    expect(appFilePaths()).toEqual([
      'README.md',
      'default/app.conf',
      'default/data/ui/nav/default.xml',
      'default/data/ui/views/auth0_usage_overview.xml',
      'default/macros.conf',
      'default/props.conf',
      'default/savedsearches.conf',
      'metadata/default.meta',
      'static/appIcon.png',
      'static/appIconAlt.png',
      'static/appIconAlt_2x.png',
      'static/appIcon_2x.png',
    ]);
  });

  it.each(appFilePaths().filter((path) => /\.(conf|meta)$/.test(path)))('%s parses', (path) => {
    expect(() => parseConf(readFileSync(join(APP_DIR, path), 'utf8'), path)).not.toThrow();
  });

  it.each(appFilePaths().filter((path) => path.endsWith('.xml')))('%s is well-formed XML', (path) => {
    expect(() => parseXml(readFileSync(join(APP_DIR, path), 'utf8'))).not.toThrow();
  });
});

describe('default/app.conf', () => {
  const app = loadConf('default/app.conf');

  it('identifies the app as auth0_usage, with the version keys the pack script fills in', () => {
    expect(confValue(app, 'package', 'id')).toBe('auth0_usage');
    expect(confValue(app, 'id', 'name')).toBe('auth0_usage');
    // Placeholders: the packed app.conf carries package.json's version (packSplunkApp.test.ts).
    expect([confValue(app, 'id', 'version'), confValue(app, 'launcher', 'version'), confValue(app, 'install', 'build')]).toEqual(['0.0.0', '0.0.0', '0']);
  });

  it('is a visible app with a label, an author and a description', () => {
    expect(confValue(app, 'ui', 'is_visible')).toBe('true');
    expect(confValue(app, 'ui', 'label')).toBe('Auth0 Usage');
    expect(confValue(app, 'launcher', 'author')).toBe('auth0-usage project');
    expect(confValue(app, 'launcher', 'description')?.length).toBeGreaterThan(20);
    expect(confValue(app, 'package', 'check_for_updates')).toBe('false');
  });

  it('claims no setup: no is_configured, and no setup page to go with one', () => {
    expect(app.get('install')!.settings.has('is_configured')).toBe(false);
    expect(appFilePaths().filter((path) => /setup/i.test(path))).toEqual([]);
  });
});

describe('what AppInspect asks of a private Splunk Cloud app', () => {
  it('ships no indexes.conf (the example is in the README) and no local settings', () => {
    expect(appFilePaths().filter((path) => /(^|\/)indexes\.conf$|^local\/|local\.meta$/.test(path))).toEqual([]);
  });

  it('has a README at the app root that shows the index and how to create it', () => {
    const readme = readFileSync(join(APP_DIR, 'README.md'), 'utf8');
    expect(readme).toMatch(/^# Auth0 Usage/);
    expect(readme).toContain('`index=auth0_usage`');
    expect(readme).toMatch(/^\[auth0_usage\]\nhomePath\s+= \$SPLUNK_DB\/auth0_usage\/db$/m);
  });
});

describe('default/props.conf', () => {
  const props = loadConf('default/props.conf');

  it('extracts the JSON fields of auth0:usage at search time, one event per envelope', () => {
    expect([...props.keys()]).toEqual(['auth0:usage']);
    expect(confValue(props, 'auth0:usage', 'KV_MODE')).toBe('json');
    expect(confValue(props, 'auth0:usage', 'SHOULD_LINEMERGE')).toBe('false');
    expect(confValue(props, 'auth0:usage', 'LINE_BREAKER')).toBe('([\\r\\n]+)');
    expect(Number(confValue(props, 'auth0:usage', 'TRUNCATE'))).toBeGreaterThan(10000);
  });

  it('leaves _time to the HEC envelope and extracts nothing at index time', () => {
    const keys = [...props.get('auth0:usage')!.settings.keys()];
    for (const key of ['TIME_PREFIX', 'TIME_FORMAT', 'DATETIME_CONFIG', 'MAX_TIMESTAMP_LOOKAHEAD', 'INDEXED_EXTRACTIONS']) {
      expect(keys).not.toContain(key);
    }
  });
});

describe('default/macros.conf', () => {
  const macros = macroTable(loadConf('default/macros.conf'));

  it('defines the index macro and the one- and two-kind latest-version macros', () => {
    expect([...macros.keys()]).toEqual(['auth0_usage_index', 'auth0_usage_latest(1)', 'auth0_usage_latest(2)', 'auth0_usage_gap_minutes']);
    expect(macros.get('auth0_usage_index')!.definition).toBe('index=auth0_usage');
    expect(macros.get('auth0_usage_latest(1)')!.args).toEqual(['kind']);
    expect(macros.get('auth0_usage_latest(2)')!.args).toEqual(['kind', 'other_kind']);
  });

  it('accepts every summary kind as the argument, and nothing that could inject SPL', () => {
    const conf = loadConf('default/macros.conf');
    const validation = /^match\(kind, "(.+)"\)$/.exec(confValue(conf, 'auth0_usage_latest(1)', 'validation')!)![1];
    const pattern = new RegExp(validation);
    for (const kind of Object.keys(SUMMARY_FIELDS)) expect(pattern.test(kind)).toBe(true);
    for (const bad of ['daily" OR summary="run', 'daily | delete', '']) expect(pattern.test(bad)).toBe(false);
    // The two-kind macro checks both arguments with the same pattern.
    expect(confValue(conf, 'auth0_usage_latest(2)', 'validation')).toBe(`match(kind, "${validation}") AND match(other_kind, "${validation}")`);
  });

  // The error message is what an analyst who mistyped a kind reads: it lists every kind the macro can select, so
  // none looks unsupported (coverage, auth0_daily, auth0_active_users and reconcile came after the first five).
  it.each(['auth0_usage_latest(1)', 'auth0_usage_latest(2)'])('%s: its error message lists every bucket summary kind', (stanza) => {
    const message = confValue(loadConf('default/macros.conf'), stanza, 'errormsg')!;
    const listed = /summary kinds?: (.+)\.$/.exec(message)![1].split(/, | or /);
    expect(listed).toEqual(Object.keys(SUMMARY_FIELDS).filter((kind) => kind !== 'run'));
  });

  it('keeps the newest generated_at per summary_id: sorts everything first, then dedups', () => {
    const definition = macros.get('auth0_usage_latest(1)')!.definition;
    const commands = definition.split('|').map((part) => part.trim());
    expect(commands).toEqual([
      '`auth0_usage_index` sourcetype="auth0:usage" summary="$kind$"',
      'sort 0 -str(generated_at)',
      'dedup summary_id',
    ]);
    expect(macros.get('auth0_usage_latest(2)')!.definition.split('|').map((part) => part.trim())).toEqual([
      '`auth0_usage_index` sourcetype="auth0:usage" summary IN ("$kind$", "$other_kind$")',
      'sort 0 -str(generated_at)',
      'dedup summary_id',
    ]);
  });
});

describe('metadata/default.meta', () => {
  const meta = loadConf('metadata/default.meta');

  it('lets everyone read and admins write', () => {
    expect(confValue(meta, '', 'access')).toBe('read : [ * ], write : [ admin, sc_admin ]');
  });

  it.each(['props', 'macros', 'savedsearches', 'views'])('exports %s to the whole system', (type) => {
    expect(confValue(meta, type, 'export')).toBe('system');
  });
});

describe('the dashboard and navigation', () => {
  const dashboard = loadDashboard();
  const nav = parseXml(readFileSync(join(APP_DIR, 'default/data/ui/nav/default.xml'), 'utf8'));

  it('opens on the overview dashboard, which exists', () => {
    const views = elementsNamed(nav, 'view');
    expect(views.find((view) => view.attributes.default === 'true')?.attributes.name).toBe('auth0_usage_overview');
    expect(existsSync(join(APP_DIR, 'default/data/ui/views/auth0_usage_overview.xml'))).toBe(true);
  });

  it('is a Simple XML 1.1 form', () => {
    expect(dashboard.name).toBe('form');
    expect(dashboard.attributes.version).toBe('1.1');
  });

  it('has the quota gauges, trends, top M2M clients, failures, breached passwords, closed months, log types, job health, reconciliation and coverage panels', () => {
    const titles = elementsNamed(dashboard, 'panel').map((panel) => textOf(childNamed(panel, 'title')!));
    expect(titles).toEqual([
      'Billable M2M tokens this month, % of quota',
      'Monthly active users, % of quota',
      'Quota status (latest day)',
      'Logins, failed logins and signups per day',
      'Active users per day',
      'Top M2M clients, month to date',
      'M2M tokens per day, billable and not',
      'Failures per day',
      'Breached-password detections',
      'Monthly active users, closed months',
      'M2M chargeback, last closed month',
      'Records per log type, top 20',
      'Hours since the last run started',
      'Job runs',
      "Ours vs Auth0's statistics per day and metric (mismatches in red)",
      'Log coverage: longest gap without records (minutes) per day',
    ]);
    const gauges = elementsNamed(dashboard, 'option').filter((o) => o.attributes.name === 'charting.chart' && textOf(o) === 'radialGauge');
    expect(gauges).toHaveLength(2);
  });

  it('gives every search a query and uses only tokens its inputs define', () => {
    const defined = new Set(['tenant', 'range.earliest', 'range.latest']);
    // Dashboard tokens are $name$; the fixed time ranges and queries use no other dollar signs.
    expect(elementsNamed(dashboard, 'input').map((input) => input.attributes.token)).toEqual(['tenant', 'range']);
    for (const search of elementsNamed(dashboard, 'search')) {
      const parts = ['query', 'earliest', 'latest'].map((name) => childNamed(search, name));
      expect(parts[0] && textOf(parts[0]).trim()).toBeTruthy();
      for (const part of parts) {
        for (const [, token] of (part ? textOf(part) : '').matchAll(/\$([^$]+)\$/g)) expect(defined).toContain(token);
      }
    }
    expect(dashboardSources(dashboard)).toHaveLength(19);
  });
});
