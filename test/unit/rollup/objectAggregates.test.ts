import { StatelessRun } from './dayRollupKit';
import { API_AUDIENCE, MGMT_AUDIENCE, defaultConfig, makeRecord } from './rollupTestKit';
import { createObjectAggregator } from '../../../src/rollup/objectAggregates';
import { ObjectRollupStateError } from '../../../src/rollup/dayObjectRollup';
import type { LogRecord } from '../../../src/decode/logRecord';
import type { DayAggregateJson } from '../../../src/rollup/dayAggregateJson';

// An object's figures added up elsewhere (a decode thread) from the records claim() said yes to, and adopted, must be
// the figures add() gives on the main thread.
const SETTINGS = { categories: defaultConfig.categories, nonBillableAudiences: defaultConfig.nonBillableAudiences, timezone: 'Europe/Berlin', statsTimezone: 'UTC' };

function records(): LogRecord[] {
  const login = makeRecord({ tenant: 'a', type: 's', userId: 'auth0|1', date: '2024-06-01T21:30:00.000Z' });
  return [
    login,
    // The same log_id again, with other content: the first counts.
    { ...login, type: 'f', userId: 'auth0|2' },
    makeRecord({ tenant: 'a', type: 'seccft', clientId: 'm2m-1', clientName: 'Billing', audience: API_AUDIENCE, date: '2024-06-01T22:30:00.000Z' }),
    makeRecord({ tenant: 'a', type: 'seccft', clientId: 'm2m-1', clientName: 'Billing v2', audience: MGMT_AUDIENCE, date: '2024-06-02T08:00:00.000Z' }),
    makeRecord({ tenant: 'b', type: 'ss', userId: 'auth0|3', hostname: 'b.eu.auth0.com', date: '2024-06-02T08:00:00.000Z' }),
    makeRecord({ tenant: 'b', type: 'fp', logId: null, date: '2024-06-02T09:00:00.000Z' }),
    // Outside --from/--to below.
    makeRecord({ tenant: 'b', type: 's', userId: 'auth0|4', date: '2024-06-09T09:00:00.000Z' }),
  ];
}

test('claim() on the main thread and the sum of what it said yes to, adopted, give add()’s figures and counters', () => {
  const shape = { timezone: 'Europe/Berlin', from: '2024-06-01', to: '2024-06-03' };
  const added = new StatelessRun(shape).beginObject();
  for (const record of records()) added.add(record);

  const claimed = new StatelessRun(shape).beginObject();
  const elsewhere = createObjectAggregator(SETTINGS);
  const verdicts = records().map((record) => {
    const counts = claimed.claim(record);
    if (counts) elsewhere.add(record);
    return counts;
  });
  // Worked out by hand: the second login is a duplicate, and the 9th is out of range.
  expect(verdicts).toEqual([true, false, true, true, true, true, false]);
  // The result crosses threads as plain data.
  claimed.adopt(structuredClone(elsewhere.result()) as DayAggregateJson[]);

  const figures = (object: typeof added) => [...object.table.aggregates()].map((aggregate) => aggregate.toJSON()).sort((x, y) => `${x.tenant}${x.day}`.localeCompare(`${y.tenant}${y.day}`));
  expect(figures(claimed)).toEqual(figures(added));
  // Berlin days: a's records fall on 06-01 and 06-02 (22:30 UTC is past midnight), b's on 06-02.
  expect(figures(added).map((day) => [day.tenant, day.day, day.events])).toEqual([['a', '2024-06-01', 1], ['a', '2024-06-02', 2], ['b', '2024-06-02', 2]]);
  expect(claimed.counters).toEqual(added.counters);
  expect(added.counters).toEqual({ records: 7, duplicates: 1, outOfRange: 1, dedupUnavailable: 0 });
});

test('adopt() once, before commit()', () => {
  const object = new StatelessRun().beginObject();
  object.adopt([]);
  expect(() => object.adopt([])).toThrow(ObjectRollupStateError);
  object.commit();
  expect(() => object.adopt([])).toThrow('adopt() after commit()');
});
