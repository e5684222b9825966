import { AudiencePolicy } from '../../../src/rollup/audiencePolicy';
import { CategoryLookup, M2M_CATEGORY_MASK } from '../../../src/rollup/categoryLookup';
import { DayAggregate } from '../../../src/rollup/dayAggregate';
import { buildDaySummaries, type SummaryMeta } from '../../../src/rollup/summaryBuilder';
import { ENVELOPE_FIELDS, SUMMARY_FIELDS, type DailyEvent } from '../../../src/rollup/summaryEvent';
import { API_AUDIENCE, defaultConfig, makeRecord, MGMT_AUDIENCE } from './rollupTestKit';

const META: SummaryMeta = { runId: 'r', generatedAt: '2024-06-02T00:00:00.000Z', source: 'src', sourcetype: 'st' };
const categories = new CategoryLookup(defaultConfig.categories);
const audiences = new AudiencePolicy(defaultConfig.nonBillableAudiences);

function aggregate(): DayAggregate {
  // Asia/Kolkata (UTC+5:30): 2024-06-01 runs from 2024-05-31T18:30Z to 2024-06-01T18:30Z.
  const result = new DayAggregate('acme', {
    day: '2024-06-01',
    startMs: Date.parse('2024-05-31T18:30:00Z'),
    endMs: Date.parse('2024-06-01T18:30:00Z'),
  });
  for (const record of [
    makeRecord({ type: 'seccft', clientId: 'c1', clientName: 'One', audience: API_AUDIENCE, hostname: 'b.example' }),
    makeRecord({ type: 'seccft', clientId: 'c1', clientName: 'One', audience: MGMT_AUDIENCE, hostname: 'a.example' }),
    makeRecord({ type: 's', userId: 'u1', hostname: 'b.example' }),
  ]) {
    const flags = categories.flagsOf(record.type);
    result.add(record, flags, (flags & M2M_CATEGORY_MASK) !== 0 && audiences.isBillable(record.audience));
  }
  return result;
}

describe('buildDaySummaries', () => {
  const built = buildDaySummaries(aggregate(), 'Asia/Kolkata', META);
  const all = [built.daily, ...built.m2m, ...built.eventTypes];

  it('lists each kind\'s fields exactly as SUMMARY_FIELDS does, in that order', () => {
    expect(Object.keys(built.daily.event)).toEqual(SUMMARY_FIELDS.daily);
    for (const m2m of built.m2m) expect(Object.keys(m2m.event)).toEqual(SUMMARY_FIELDS.m2m);
    for (const type of built.eventTypes) expect(Object.keys(type.event)).toEqual(SUMMARY_FIELDS.event_type);
  });

  it('puts envelope keys in the documented order and leaves out an absent index', () => {
    for (const envelope of all) expect(Object.keys(envelope)).toEqual(ENVELOPE_FIELDS.filter((key) => key !== 'index'));
    const indexed = buildDaySummaries(aggregate(), 'Asia/Kolkata', { ...META, index: 'main' });
    expect(Object.keys(indexed.daily)).toEqual([...ENVELOPE_FIELDS]);
    expect(indexed.daily.index).toBe('main');
  });

  it('times every event at the local day start in epoch seconds and hosts it at the busiest hostname', () => {
    // 2024-05-31T18:30Z = 1717180200 (2024-05-31T00:00Z = 1717113600, + 18.5 h).
    for (const envelope of all) {
      expect(envelope.time).toBe(1717180200);
      const event = envelope.event as DailyEvent;
      expect([event.info_min_time, event.info_max_time, event.tz]).toEqual([1717180200, 1717266600, 'Asia/Kolkata']);
      expect(envelope.host).toBe('b.example');
    }
  });

  it('writes only integer counts', () => {
    const text = ['summary', 'summary_id', 'tenant', 'day', 'tz', 'generated_at', 'run_id'];
    const counts = Object.entries(built.daily.event).filter(([key]) => !text.includes(key));
    expect(counts).toHaveLength(14);
    for (const [, value] of counts) expect(Number.isInteger(value)).toBe(true);
    expect(built.daily.event).toMatchObject({ logins: 1, active_users: 1, m2m_tokens: 2, m2m_tokens_billable: 1 });
    expect(built.daily.event).toMatchObject({ token_exchanges: 2, events: 3 });
  });

  it('orders m2m events by client then audience and event_type events by type', () => {
    expect(built.m2m.map((e) => [e.event.client_id, e.event.audience, e.event.billable])).toEqual([
      ['c1', MGMT_AUDIENCE, false],
      ['c1', API_AUDIENCE, true],
    ]);
    expect(built.eventTypes.map((e) => [e.event.type, e.event.count])).toEqual([['s', 1], ['seccft', 2]]);
  });
});
