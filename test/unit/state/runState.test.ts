import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DayAggregate } from '../../../src/rollup/dayAggregate';
import { DaySlot } from '../../../src/rollup/dayStore';
import { LogIdSet } from '../../../src/rollup/logIdSet';
import { RunState } from '../../../src/state/runState';
import { StateError } from '../../../src/state/stateErrors';
import { configWith, silentLogger } from './stateTestKit';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-runstate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (timezone: string) => RunState.open({ location: dir, timezone, config: configWith(), logger: silentLogger, sleep: async () => {} });

test('a run with another time zone is refused for the zone before it touches the lock, even while another run holds it', async () => {
  const first = await open('UTC');
  await first.commit({ runId: 'r1', startedAt: '2024-03-01T00:00:00.000Z', emitted: new Map(), objectsRead: [] });
  await first.release();

  const holder = await open('UTC');
  try {
    const lockBefore = readFileSync(path.join(dir, 'lock.json'), 'utf8');
    const refused = await open('Europe/Berlin').catch((error: unknown) => error);
    // Not "in use by another run": the zone is what the operator must change, whoever holds the lock.
    expect(refused).toBeInstanceOf(StateError);
    expect((refused as Error).message).toBe(`the state ${dir} counts days in UTC; run with --timezone UTC or use another --state`);
    expect(readFileSync(path.join(dir, 'lock.json'), 'utf8')).toBe(lockBefore);
  } finally {
    await holder.release();
  }
});

/** A state with one committed day (acme 2024-03-01, one log_id) and an object list of one object. */
async function committedState(): Promise<{ aggregate: string; logIds: string; objects: string }> {
  const state = await open('UTC');
  const range = { day: '2024-03-01', startMs: Date.UTC(2024, 2, 1), endMs: Date.UTC(2024, 2, 2) };
  const ids = new LogIdSet();
  ids.claim('90020240301000000000000000000000000000000000000000000001');
  state.stageDay(new DaySlot(1, 'acme', range, undefined, false), new DayAggregate('acme', range), ids);
  await state.commit({ runId: 'r1', startedAt: '2024-03-02T00:00:00.000Z', emitted: new Map(), objectsRead: [{ name: 'logs/a1.ndjson', size: 10, version: 'v1' }] });
  await state.release();
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return { aggregate: manifest.days[0].aggregate, logIds: manifest.days[0].logIds, objects: manifest.objects.file };
}

const refusal = (options: { timezone?: string; config?: Record<string, unknown> } = {}) =>
  RunState.open({ location: dir, timezone: options.timezone ?? 'UTC', config: configWith(options.config), logger: silentLogger, sleep: async () => {} }).then(
    async (state) => {
      await state.release();
      return 'opened';
    },
    (error: Error) => error.message,
  );

test('a committed state whose object list is missing is refused at open, naming the file', async () => {
  const names = await committedState();
  expect(await refusal()).toBe('opened');
  rmSync(path.join(dir, ...names.objects.split('/')));
  // Read as an empty list, every object would be read, and counted, again.
  expect(await refusal()).toBe(`the state ${dir} is incomplete: ${names.objects} is missing: restore the state from a backup, or build a new state with a backfill`);
});

test('a day\'s log_ids missing is refused at open, before any record is read', async () => {
  const names = await committedState();
  rmSync(path.join(dir, ...names.logIds.split('/')));
  expect(await refusal()).toBe(`the state ${dir} is incomplete: ${names.logIds} (acme 2024-03-01) is missing: restore the state from a backup, or build a new state with a backfill`);
});

test('a manifest whose log_ids name is outside the state is refused as corrupt', async () => {
  await committedState();
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  manifest.days[0].logIds = '../../etc/passwd';
  writeFileSync(file, JSON.stringify(manifest));
  expect(await refusal()).toBe(`the state ${dir} is corrupt: manifest.json days.0.logIds: is not a state file name: restore the state from a backup, or build a new state with a backfill`);
});

test('nonBillableAudiences is part of the classification: a state built without it is refused with it', async () => {
  await committedState();
  expect(await refusal({ config: { nonBillableAudiences: ['https://internal.acme.com'] } })).toBe(
    `the state ${dir} was built with another tenant, categories or nonBillableAudiences config; ` +
      'its figures would mix two classifications: restore that config, or build a new state with a backfill',
  );
});
