import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
