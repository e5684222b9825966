import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommitStaging } from '../../../src/state/commitStaging';
import { StateIoError } from '../../../src/state/stateErrors';
import { DayAggregate } from '../../../src/rollup/dayAggregate';
import type { DayRange } from '../../../src/rollup/dayRange';
import type { DaySlot } from '../../../src/rollup/dayStore';
import { LogIdSet } from '../../../src/rollup/logIdSet';

const DAY: DayRange = { day: '2024-06-01', startMs: Date.UTC(2024, 5, 1), endMs: Date.UTC(2024, 5, 2) };
const slot = (seq: number) => ({ seq, tenant: 'acme', range: DAY }) as unknown as DaySlot;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-staging-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a staged day is two files in the folder, listed with its counts', () => {
  const staging = new CommitStaging(path.join(dir, 'commit'));
  const ids = new LogIdSet();
  ids.claim('90020240601000000000000000000000000000000000000000000001');
  ids.claim('90020240601000000000000000000000000000000000000000000002');
  staging.stage(slot(3), new DayAggregate('acme', DAY), ids);
  expect(staging.days.map((day) => [path.basename(day.aggregateFile), path.basename(day.logIdsFile), day.logIdCount])).toEqual([['commit-3.agg.json', 'commit-3.ids', 2]]);
  expect(JSON.parse(readFileSync(staging.days[0]!.aggregateFile, 'utf8'))).toMatchObject({ tenant: 'acme', day: '2024-06-01' });
});

test('a file that cannot be written (here a folder in its place; a full disk alike) is a state I/O error naming it', () => {
  const folder = path.join(dir, 'commit');
  mkdirSync(path.join(folder, 'commit-7.ids'), { recursive: true });
  const staging = new CommitStaging(folder);
  let thrown: unknown;
  try {
    staging.stage(slot(7), new DayAggregate('acme', DAY), new LogIdSet());
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(StateIoError);
  expect([(thrown as StateIoError).code, (thrown as StateIoError).message]).toEqual([
    'ERR_STATE_IO',
    `cannot write ${path.join(folder, 'commit-7.ids')} (the day files staged for the state's commit): EISDIR`,
  ]);
  expect(staging.days).toEqual([]);
});
