/**
 * The analysts' doc documents exactly SUMMARY_FIELDS (every kind, every field, nothing else), and its
 * copy-paste searches pass the same checks as the app's.
 */
import { buildAuth0DaySummaries } from '../../../src/rollup/auth0Summaries';
import { quotaFigures } from '../../../src/rollup/quotaFigures';
import { buildQuotaSummary } from '../../../src/rollup/quotaSummary';
import { ENVELOPE_FIELDS, SUMMARY_FIELDS, type SummaryEnvelope } from '../../../src/rollup/summaryEvent';
import { analystsSection, docSources, loadConf } from './helpers/appSources';
import { checkFields } from './helpers/splFields';
import { balanceProblems, expandMacros, macroTable } from './helpers/splSyntax';

const SCHEMA: Readonly<Record<string, readonly string[]>> = SUMMARY_FIELDS;
const markdown = analystsSection();

/** "kind.field" for every row of the fields table: | `field` | kind, kind | meaning | */
function documentedPairs(text: string): string[] {
  const section = text.slice(text.indexOf('## Fields'), text.indexOf('\n## ', text.indexOf('## Fields') + 1));
  return [...section.matchAll(/^\| `([a-z0-9_]+)` \| ([a-z0-9_, ]+) \| (.+) \|$/gm)].flatMap(([, field, kinds, meaning]) => {
    expect(meaning.trim().length).toBeGreaterThan(5);
    return kinds.split(',').map((kind) => `${kind.trim()}.${field}`);
  });
}

describe('docs/analysts.md', () => {
  const documented = documentedPairs(markdown);
  const schemaPairs = Object.entries(SCHEMA).flatMap(([kind, fields]) => fields.map((field) => `${kind}.${field}`));

  it('reads the fields table (the reader itself works)', () => {
    expect(documentedPairs('## Fields\n| `a` | daily, run | Something long. |\n| `b` | m2m | Another one. |\n## Next\n')).toEqual([
      'daily.a',
      'run.a',
      'm2m.b',
    ]);
  });

  it('documents every field of every kind in SUMMARY_FIELDS', () => {
    expect(schemaPairs.filter((pair) => !documented.includes(pair))).toEqual([]);
  });

  it('documents no field that SUMMARY_FIELDS lacks', () => {
    expect(documented.filter((pair) => !schemaPairs.includes(pair))).toEqual([]);
  });

  // Splunk shows the envelope's host and source as fields of every event; host is the tenant's Auth0 domain on a
  // summary and the job's machine on a run event, which an analyst cannot guess from Splunk's usual meaning.
  it('says what the envelope fields Splunk shows (host, source, sourcetype, index) hold', () => {
    const intro = markdown.slice(0, markdown.indexOf('## Fields'));
    const shown = ENVELOPE_FIELDS.filter((field) => field !== 'time' && field !== 'event');
    expect(shown.filter((field) => !intro.includes(`\`${field}\``))).toEqual([]);
    expect(intro).toMatch(/`host` is the tenant's Auth0 domain/);
    expect(intro).toMatch(/On a `run` event it is the name of the machine/);
  });

  // A field the job sends as null must say so in its row: searches have to test `isnull(x) OR x=="null"` for it.
  it('says null in the row of every field the job can send as null', () => {
    const meta = { runId: 'r1', generatedAt: '2024-06-02T00:00:00.000Z', source: 'auth0-usage', sourcetype: 'auth0:usage' };
    const bucket = { tenant: 'acme', tz: 'UTC', host: 'acme.eu.auth0.com', range: { day: '2024-06-05', startMs: Date.parse('2024-06-05T00:00:00Z'), endMs: Date.parse('2024-06-06T00:00:00Z') } };
    const stats = { tenant: 'acme', host: 'acme.eu.auth0.com', statsTimezone: 'UTC', tolerancePercent: 2 };
    const events: SummaryEnvelope[] = [
      buildQuotaSummary(bucket, 'm2m_tokens_billable', quotaFigures('m2m_tokens_billable', 10, null, '2024-06-05', [80, 100]), true, meta),
      buildQuotaSummary(bucket, 'active_users', quotaFigures('active_users', 10, null, '2024-06-05', [80, 100]), true, meta),
      ...buildAuth0DaySummaries(stats, ['2024-06-04', '2024-06-05'], [{ day: '2024-06-04', logins: 3, signups: 0 }], new Map(), meta),
    ];
    const nullFields = new Set(events.flatMap((e) => Object.entries(e.event).filter(([, v]) => v === null).map(([field]) => `${e.event.summary}.${field}`)));
    expect(nullFields.size).toBeGreaterThan(5);
    const rows = new Map([...markdown.matchAll(/^\| `([a-z0-9_]+)` \| [a-z0-9_, ]+ \| (.+) \|$/gm)].map(([, field, meaning]) => [field, meaning]));
    const silent = [...nullFields].filter((pair) => !/\bnull\b/i.test(rows.get(pair.split('.')[1]) ?? ''));
    expect(silent).toEqual([]);
  });

  it('has twelve copy-paste searches', () => {
    expect(docSources(markdown)).toHaveLength(12);
  });

  // A HEC retry after a lost reply indexes the very same event twice: same summary_id, same generated_at. Counting
  // distinct generated_at per day misses it (and counts a day whose new client first came in a later run); copies
  // per summary_id see both causes.
  it('search 10 counts copies per summary_id, so a retried event shows too', () => {
    const search = docSources(markdown).find((source) => source.origin === 'docs/analysts.md search 10')!.spl;
    expect(search).toContain('stats count as copies, dc(generated_at) as versions');
    expect(search).toMatch(/by summary, tenant, day, summary_id\s*\|\s*where copies > 1/);
  });

  // "This month" by the search head's clock (a _time range of @mon, or strftime(now())) leaves out the 1st when the
  // job's zone is ahead of the analyst's: that day's bucket starts in the analyst's previous month. Each tenant's
  // newest month in `day`, over 32 days, is the job's own month to date, as in the app's report.
  it("search 4 takes each tenant's newest month from day, not from the search head's clock", () => {
    const search = docSources(markdown).find((source) => source.origin === 'docs/analysts.md search 4')!.spl;
    expect(search).toMatch(/eventstats max\(month\) as current_month by tenant\s*\|\s*where month==current_month/);
    expect(search).not.toContain('now()');
    expect(markdown).toMatch(/4\. Top 10 M2M clients this month \(time range: the last 32 days\)/);
  });

  const macros = macroTable(loadConf('default/macros.conf'));
  const searches = docSources(markdown).map((source) => [source.origin, source] as const);
  it.each(searches)('%s is balanced, uses the app macros and known fields', (_origin, source) => {
    expect(balanceProblems(source.spl)).toEqual([]);
    expect(checkFields(expandMacros(source.spl, macros), SCHEMA).errors).toEqual([]);
  });
});
