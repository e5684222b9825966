import { checkFields } from './helpers/splFields';

/** A made-up schema, so these tests do not move when the real one does. */
const SCHEMA = {
  daily: ['summary', 'summary_id', 'tenant', 'day', 'generated_at', 'logins', 'failed_logins'],
  m2m: ['summary', 'summary_id', 'tenant', 'day', 'client_id', 'm2m_tokens', 'billable'],
  run: ['summary', 'run_id', 'status', 'inputs'],
};
const DAILY = 'index=auth0_usage sourcetype="auth0:usage" summary="daily"';
const notFound = (command: string, field: string, kinds: string): string =>
  `${command}: field "${field}" is not in SUMMARY_FIELDS for ${kinds}, not a Splunk default field, and not created earlier in the search`;

describe('checkFields', () => {
  it('accepts schema fields, default fields and fields the search creates', () => {
    const result = checkFields(
      `${DAILY} tenant="acme" | eval total=logins + failed_logins, rate=failed_logins / total ` +
        '| stats sum(total) as total, max(rate), count by tenant, day | where total > 0 | table tenant day total max(rate) count',
      SCHEMA,
    );
    expect(result.errors).toEqual([]);
    expect(result.kinds).toEqual(['daily']);
    expect(result.created).toEqual(expect.arrayContaining(['total', 'rate', 'max(rate)', 'count']));
  });

  it('catches a made-up field name wherever it is read', () => {
    expect(checkFields(`${DAILY} | stats sum(loginz) as logins`, SCHEMA).errors).toEqual([notFound('stats', 'loginz', 'daily')]);
    expect(checkFields(`${DAILY} | eval x=logins + signupz`, SCHEMA).errors).toEqual([notFound('eval', 'signupz', 'daily')]);
    expect(checkFields(`${DAILY} | where failedlogins > 0`, SCHEMA).errors).toEqual([notFound('where', 'failedlogins', 'daily')]);
    expect(checkFields(`${DAILY} tennant="acme"`, SCHEMA).errors).toEqual([notFound('search', 'tennant', 'daily')]);
    expect(checkFields(`${DAILY} | sort 0 -str(generated_att)`, SCHEMA).errors).toEqual([notFound('sort', 'generated_att', 'daily')]);
    expect(checkFields(`${DAILY} | table day logins_total`, SCHEMA).errors).toEqual([notFound('table', 'logins_total', 'daily')]);
  });

  it('checks a field against the kinds the search selects only', () => {
    expect(checkFields(`${DAILY} | stats sum(m2m_tokens) by client_id`, SCHEMA).errors).toEqual([
      notFound('stats', 'm2m_tokens', 'daily'),
      notFound('stats', 'client_id', 'daily'),
    ]);
    const both = checkFields('index=x summary IN ("daily", "m2m") | stats sum(m2m_tokens) by client_id', SCHEMA);
    expect(both.kinds).toEqual(['daily', 'm2m']);
    expect(both.errors).toEqual([]);
  });

  it('drops fields a transforming command does not output', () => {
    expect(checkFields(`${DAILY} | stats sum(logins) as total by tenant | table tenant day`, SCHEMA).errors).toEqual([
      notFound('table', 'day', 'daily'),
    ]);
    expect(checkFields(`${DAILY} | timechart span=1d sum(logins) by tenant | table _time logins`, SCHEMA).errors).toEqual([
      notFound('table', 'logins', 'daily'),
    ]);
    expect(checkFields(`${DAILY} | rename logins as ok_logins | table logins`, SCHEMA).errors).toEqual([notFound('table', 'logins', 'daily')]);
  });

  it('reads JSON array fields written as name{} (and quoted in eval)', () => {
    expect(checkFields('index=x summary="run" | eval n=mvcount(\'inputs{}\') | table inputs{} n', SCHEMA).errors).toEqual([]);
  });

  it('ignores time modifiers and values, dashboard tokens and eval literals', () => {
    const spl = `${DAILY} tenant="$tenant$" _index_earliest=-1h@h earliest=-26h | where day=="$day$" AND logins > 10 | eval t=strftime(now(), "%Y-%m")`;
    expect(checkFields(spl, SCHEMA).errors).toEqual([]);
  });

  it('requires a summary kind, and one that SUMMARY_FIELDS has', () => {
    expect(checkFields('index=auth0_usage | stats count', SCHEMA).errors).toEqual([
      'search: names no summary kind (summary="..." or summary IN (...))',
    ]);
    expect(checkFields('index=x summary="quota" | table used', SCHEMA).errors).toEqual([
      'search: summary kind "quota" is not in SUMMARY_FIELDS',
      notFound('search', 'summary', 'quota'),
      notFound('table', 'used', 'quota'),
    ]);
    // A negated kind is not a selected kind.
    expect(checkFields('index=x NOT summary="run" summary="daily" | table logins', SCHEMA).kinds).toEqual(['daily']);
  });

  it('refuses what it cannot follow: unknown commands, functions, options and bad terms', () => {
    expect(checkFields(`${DAILY} | rex field=_raw "(?<x>\\d+)"`, SCHEMA).errors).toEqual([
      'rex: unsupported command "rex": teach the field checker before using it',
    ]);
    expect(checkFields(`${DAILY} | eval x=lenght(day)`, SCHEMA).errors).toEqual(['eval: unknown eval function "lenght()"']);
    expect(checkFields(`${DAILY} | stats summ(logins)`, SCHEMA).errors).toEqual(['stats: unknown function "summ()"']);
    expect(checkFields(`${DAILY} | timechart spam=1d count`, SCHEMA).errors).toEqual(['timechart: unknown option "spam"']);
    // Terms written after a macro that ends in a pipe land in its last command.
    expect(checkFields(`${DAILY} | dedup summary_id tenant="acme"`, SCHEMA).errors).toEqual(['dedup: unknown option "tenant"']);
    expect(checkFields(`${DAILY} tenant = "acme"`, SCHEMA).errors).toEqual(['search: cannot read search term "="']);
    expect(checkFields(`${DAILY} | eval x=true`, SCHEMA).errors).toEqual([notFound('eval', 'true', 'daily')]);
  });
});
