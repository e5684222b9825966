import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNdjson, runCli } from '../support/cliRunner';

// Every expected figure below is worked out by hand in fixtures/e2e/README.md.
const FIXTURES = path.resolve(__dirname, '../../fixtures/e2e/archives');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-e2e-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function runNewYork(extra: string[] = []) {
  const output = path.join(dir, 'summaries.ndjson');
  const quarantine = path.join(dir, 'quarantine.ndjson');
  const result = await runCli(['run', '--input', FIXTURES, '--timezone', 'America/New_York', '--output', output, '--quarantine', quarantine, '--log-format', 'json', ...extra]);
  return { result, events: readNdjson(readFileSync(output, 'utf8')), quarantined: readNdjson(readFileSync(quarantine, 'utf8')) };
}

const byKind = (events: any[], kind: string) => events.filter((e) => e.event.summary === kind).map((e) => e.event);

describe('run over the hand-made fixtures (America/New_York)', () => {
  test('daily figures, DST day length and midnight edges', async () => {
    const { result, events } = await runNewYork();
    expect(result.code).toBe(0);
    const daily = byKind(events, 'daily');
    const pick = (d: any) => [d.tenant, d.day, d.logins, d.failed_logins, d.signups, d.failed_signups, d.breached_passwords, d.active_users, d.m2m_tokens, d.m2m_tokens_billable, d.m2m_token_failures, d.token_exchanges, d.token_exchange_failures, d.events];
    expect(daily.map(pick)).toEqual([
      ['acme', '2024-03-09', 2, 1, 0, 0, 0, 2, 1, 1, 0, 1, 0, 4],
      ['acme', '2024-03-10', 0, 0, 1, 0, 0, 1, 2, 1, 1, 2, 1, 4],
      ['globex', '2024-03-10', 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1],
      ['globex', '2024-03-11', 1, 0, 1, 0, 1, 2, 0, 0, 0, 0, 0, 4],
    ]);
    expect(daily.map((d) => [d.info_min_time, d.info_max_time])).toEqual([
      [1709960400, 1710046800],
      [1710046800, 1710129600],
      [1710046800, 1710129600],
      [1710129600, 1710216000],
    ]);
    const dailyEnvelopes = events.filter((e) => e.event.summary === 'daily');
    // index: config/default.json's splunk.index, the index the Splunk app's macro reads.
    expect(dailyEnvelopes.map((e) => [e.time, e.host, e.source, e.sourcetype, e.index])).toEqual([
      [1709960400, 'acme.us.auth0.com', 'auth0-usage', 'auth0:usage', 'auth0_usage'],
      [1710046800, 'acme.us.auth0.com', 'auth0-usage', 'auth0:usage', 'auth0_usage'],
      [1710046800, 'globex.us.auth0.com', 'auth0-usage', 'auth0:usage', 'auth0_usage'],
      [1710129600, 'globex.us.auth0.com', 'auth0-usage', 'auth0:usage', 'auth0_usage'],
    ]);
    for (const d of daily) expect(d.tz).toBe('America/New_York');
  });

  test('m2m and event_type summaries', async () => {
    const { events } = await runNewYork();
    expect(byKind(events, 'm2m').map((m) => [m.tenant, m.day, m.client_id, m.client_name, m.audience, m.billable, m.m2m_tokens, m.m2m_token_failures])).toEqual([
      ['acme', '2024-03-09', 'c1', 'Billing Service', 'https://api.acme.com', true, 1, 0],
      ['acme', '2024-03-10', 'c1', 'Billing Svc (old name)', 'https://api.acme.com', true, 1, 1],
      ['acme', '2024-03-10', 'c2', 'Ops Tool', 'https://acme.us.auth0.com/api/v2/', false, 1, 0],
    ]);
    const types = byKind(events, 'event_type').map((t) => `${t.tenant} ${t.day} ${t.type}=${t.count}`);
    expect(types.sort()).toEqual(
      [
        'acme 2024-03-09 s=2', 'acme 2024-03-09 fp=1', 'acme 2024-03-09 seccft=1',
        'acme 2024-03-10 ss=1', 'acme 2024-03-10 seccft=2', 'acme 2024-03-10 feccft=1',
        'globex 2024-03-10 s=1',
        'globex 2024-03-11 s=1', 'globex 2024-03-11 pwd_leak=1', 'globex 2024-03-11 zz_new_event=1', 'globex 2024-03-11 ss=1',
      ].sort(),
    );
  });

  test('coverage summaries: hours with records and the longest gap of 24- and 23-hour days', async () => {
    const { events } = await runNewYork();
    const pick = (c: any) => [c.tenant, c.day, c.records, c.hours_in_day, c.hours_with_records, c.longest_gap_minutes, c.first_record, c.last_record];
    expect(byKind(events, 'coverage').map(pick)).toEqual([
      ['acme', '2024-03-09', 4, 24, 4, 718, '2024-03-09T15:00:00.000Z', '2024-03-10T04:59:59.999Z'],
      ['acme', '2024-03-10', 4, 23, 4, 779, '2024-03-10T05:00:00.000Z', '2024-03-10T15:00:00.000Z'],
      ['globex', '2024-03-10', 1, 23, 1, 1379, '2024-03-11T03:59:59.999Z', '2024-03-11T03:59:59.999Z'],
      ['globex', '2024-03-11', 4, 24, 4, 959, '2024-03-11T04:00:00.000Z', '2024-03-11T12:00:00.000Z'],
    ]);
  });

  test('active_users and quota summaries: windows incomplete, no limits, no MAU projection', async () => {
    const { events } = await runNewYork();
    expect(byKind(events, 'active_users').map((a) => [a.tenant, a.day, a.dau, a.mau_30d, a.mau_month, a.window_complete])).toEqual([
      ['acme', '2024-03-09', 2, 2, 2, false],
      ['acme', '2024-03-10', 1, 3, 3, false],
      ['globex', '2024-03-10', 1, 1, 1, false],
      ['globex', '2024-03-11', 2, 2, 2, false],
    ]);
    const pick = (q: any) => [q.tenant, q.day, q.metric, q.used, q.projected_month_end, q.limit, q.percent_used, q.threshold, q.window_complete];
    expect(byKind(events, 'quota').map(pick)).toEqual([
      ['acme', '2024-03-09', 'm2m_tokens_billable', 1, 3, null, null, null, false],
      ['acme', '2024-03-09', 'active_users', 2, null, null, null, null, false],
      ['acme', '2024-03-10', 'm2m_tokens_billable', 2, 6, null, null, null, false],
      ['acme', '2024-03-10', 'active_users', 3, null, null, null, null, false],
      ['globex', '2024-03-10', 'm2m_tokens_billable', 0, 0, null, null, null, false],
      ['globex', '2024-03-10', 'active_users', 1, null, null, null, null, false],
      ['globex', '2024-03-11', 'm2m_tokens_billable', 0, 0, null, null, null, false],
      ['globex', '2024-03-11', 'active_users', 2, null, null, null, null, false],
    ]);
  });

  test('the run event and the quarantine account for everything read', async () => {
    const { events, quarantined } = await runNewYork();
    const runs = byKind(events, 'run');
    expect(runs).toHaveLength(1);
    expect(events[events.length - 1].event.summary).toBe('run');
    const run = runs[0];
    expect([run.objects, run.records, run.duplicates, run.malformed, run.rejected, run.out_of_range, run.days, run.summaries, run.status]).toEqual([3, 15, 2, 2, 1, 0, 4, 34, 'ok']);
    expect(run.unknown_types).toEqual(['zz_new_event']);
    // The bytes of the three archives as read (none is gzipped): their sizes on disk.
    expect(run.bytes).toBe(readdirSync(FIXTURES).reduce((sum, name) => sum + statSync(path.join(FIXTURES, name)).size, 0));
    expect(quarantined.map((q) => [path.basename(q.source), q.line, q.reason.split(':')[0]])).toEqual(
      expect.arrayContaining([
        ['a-management-api-array.json', 48, 'rejected'],
        ['c-webhook.ndjson', 4, 'malformed'],
        ['c-webhook.ndjson', 5, 'malformed'],
      ]),
    );
    expect(quarantined).toHaveLength(3);
    expect(quarantined.find((q) => q.line === 5).raw).toBe('not json at all');
  });

  test('--from/--to count what falls outside as out_of_range', async () => {
    const { events } = await runNewYork(['--from', '2024-03-10', '--to', '2024-03-10']);
    const run = byKind(events, 'run')[0];
    expect([run.out_of_range, run.days]).toEqual([8, 2]);
    expect(new Set(byKind(events, 'daily').map((d) => d.day))).toEqual(new Set(['2024-03-10']));
  });

  test('two runs differ only in generated_at and run_id', async () => {
    const first = (await runNewYork()).events;
    const second = (await runNewYork()).events;
    const strip = (e: any) => {
      const { generated_at, run_id, started_at, finished_at, ...rest } = e.event;
      return { ...e, time: e.event.summary === 'run' ? 0 : e.time, event: rest };
    };
    expect(second.map(strip)).toEqual(first.map(strip));
    expect(first[0].event.summary_id).toBe(second[0].event.summary_id);
    expect(first[0].event.run_id).not.toBe(second[0].event.run_id);
  });

  test('UTC days put the 04:59:59.999Z record on 2024-03-10', async () => {
    const output = path.join(dir, 'utc.ndjson');
    const result = await runCli(['run', '-i', FIXTURES, '-o', output, '--no-table', '--log-format', 'json']);
    expect(result.code).toBe(0);
    const m2m = byKind(readNdjson(readFileSync(output, 'utf8')), 'm2m').filter((m) => m.client_id === 'c1');
    expect(m2m.map((m) => [m.day, m.m2m_tokens, m.m2m_token_failures])).toEqual([['2024-03-10', 2, 1]]);
  });
});
