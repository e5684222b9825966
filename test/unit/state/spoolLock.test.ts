/**
 * One run at a time uses a HEC spool folder: a run that finds it in use waits for it, takes over a lock whose
 * process is gone, gives up after its wait naming the holder, and stops waiting when the run is stopped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StateLockedError } from '../../../src/state/stateErrors';
import { lockSpool } from '../../../src/state/spoolLock';
import { testTempDir } from '../../support/testTempDir';

const lockOwner = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'lock.json'), 'utf8')) as { token: string; pid: number; host: string };

/** A clock that only the test's sleep moves. */
function fakeClock(start = Date.parse('2026-12-07T04:00:00Z')) {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

test('takes a free spool, making its folder, and gives it back', async () => {
  const dir = path.join(testTempDir('spool-lock-'), 'spool');
  const hold = await lockSpool(dir, { sleep: () => Promise.reject(new Error('must not wait')) });
  expect(hold.notLocked).toBeUndefined();
  expect(readdirSync(dir)).toEqual(['lock.json']);
  expect(lockOwner(dir)).toMatchObject({ pid: process.pid, host: os.hostname() });
  await hold.release();
  expect(readdirSync(dir)).toEqual([]);
});

test('waits while another run holds it, and takes it once that run has given it back', async () => {
  const dir = testTempDir('spool-lock-');
  const first = await lockSpool(dir);
  const firstToken = lockOwner(dir).token;
  const waits: string[] = [];
  const sleeps: number[] = [];
  const second = await lockSpool(dir, {
    pollMs: 500,
    onWait: (holder) => waits.push(holder),
    // The other run finishes during the second look's wait.
    sleep: async (ms) => {
      sleeps.push(ms);
      if (sleeps.length === 2) await first.release();
    },
  });
  expect(sleeps).toEqual([500, 500]);
  expect(waits).toHaveLength(1);
  expect(waits[0]).toContain(`pid ${process.pid}`);
  const owner = lockOwner(dir);
  expect(owner.token).not.toBe(firstToken);
  await second.release();
  expect(existsSync(path.join(dir, 'lock.json'))).toBe(false);
});

test('gives up after its wait, naming the holder; the holder keeps the spool', async () => {
  const dir = testTempDir('spool-lock-');
  const held = await lockSpool(dir);
  const clock = fakeClock();
  const error = await lockSpool(dir, { waitMs: 10_000, pollMs: 3_000, now: clock.now, sleep: clock.sleep }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StateLockedError);
  expect((error as Error).message).toMatch(new RegExp(`^still in use by another run after waiting 10 s \\(host ${os.hostname()}, pid ${process.pid}, since `));
  // Looks at 0, 3, 6 and 9 s; the last wait is cut to the 1 s left; at 10 s it gives up.
  expect(clock.slept).toEqual([3_000, 3_000, 3_000, 1_000]);
  expect(lockOwner(dir).pid).toBe(process.pid);
  await held.release();
});

test('the wait is told in minutes when whole, else in seconds; onWait says until when, once', async () => {
  const dir = testTempDir('spool-lock-');
  const held = await lockSpool(dir);
  for (const [waitMs, text] of [[90_000, '90 s'], [120_000, '2 minutes']] as const) {
    const clock = fakeClock();
    const told: Date[] = [];
    const error = await lockSpool(dir, { waitMs, pollMs: 30_000, now: clock.now, sleep: clock.sleep, onWait: (_holder, until) => told.push(until) }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(new RegExp(`^still in use by another run after waiting ${text} \\(`));
    expect(told).toEqual([new Date(Date.parse('2026-12-07T04:00:00Z') + waitMs)]);
  }
  await held.release();
});

test('takes over at once a lock left by a process of this host that is gone', async () => {
  const dir = testTempDir('spool-lock-');
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  const stamp = new Date().toISOString();
  writeFileSync(path.join(dir, 'lock.json'), JSON.stringify({ token: 'left-behind', host: os.hostname(), pid: gone, acquiredAt: stamp, heartbeatAt: stamp }));
  const waited: string[] = [];
  const takenOver: string[] = [];
  const hold = await lockSpool(dir, {
    onWait: (holder) => waited.push(holder),
    onTakeover: (holder) => takenOver.push(holder),
    sleep: () => Promise.reject(new Error('must not wait')),
  });
  expect(waited).toEqual([]);
  expect(takenOver).toEqual([`host ${os.hostname()}, pid ${gone}, since ${stamp}, last heartbeat ${stamp}`]);
  expect(lockOwner(dir)).toMatchObject({ pid: process.pid });
  await hold.release();
});

test('a holder on another host is waited for at once, and taken over when its heartbeat has not moved for the expiry', async () => {
  const dir = testTempDir('spool-lock-');
  const clock = fakeClock();
  const stamp = clock.now().toISOString();
  writeFileSync(path.join(dir, 'lock.json'), JSON.stringify({ token: 'other', host: 'other-pod', pid: 1, acquiredAt: stamp, heartbeatAt: stamp }));
  const told: string[] = [];
  const hold = await lockSpool(dir, {
    expiryMs: 120_000,
    pollMs: 2_000,
    now: clock.now,
    sleep: clock.sleep,
    onWait: (holder) => told.push(`wait: ${holder}`),
    onTakeover: (holder) => told.push(`takeover: ${holder}`),
  });
  const holder = `host other-pod, pid 1, since ${stamp}, last heartbeat ${stamp}`;
  expect(told).toEqual([`wait: ${holder}`, `takeover: ${holder}`]);
  // Looked at every 2 s for the whole 120 s of the expiry, by this run's own clock.
  expect(clock.slept).toEqual(Array(60).fill(2_000));
  expect(lockOwner(dir).pid).toBe(process.pid);
  await hold.release();
});

test('a run stopped while it waits stops waiting', async () => {
  const dir = testTempDir('spool-lock-');
  const held = await lockSpool(dir);
  const stop = new AbortController();
  const sleeps: number[] = [];
  const error = await lockSpool(dir, {
    signal: stop.signal,
    sleep: async (ms) => {
      sleeps.push(ms);
      stop.abort();
      throw new Error('aborted');
    },
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StateLockedError);
  expect((error as Error).message).toBe('the run was stopped while it waited for another run to finish with it');
  expect(sleeps).toHaveLength(1);
  await held.release();
});

test('a spool folder that cannot be made is not locked, and says why', async () => {
  // sysfs refuses new folders to everyone, root included.
  const hold = await lockSpool('/sys/auth0-usage-spool-test');
  expect(['EPERM', 'EACCES', 'EROFS']).toContain(hold.notLocked);
  await hold.release();
});

test('a run already stopped still takes a free spool (its run event goes there)', async () => {
  const dir = testTempDir('spool-lock-');
  const stop = new AbortController();
  stop.abort();
  const hold = await lockSpool(dir, { signal: stop.signal });
  expect(lockOwner(dir).pid).toBe(process.pid);
  await hold.release();
});

test('a spool that is a file, or below one, is not a folder', async () => {
  const file = path.join(testTempDir('spool-lock-'), 'a-file');
  writeFileSync(file, 'x');
  await expect(lockSpool(file)).rejects.toThrow(/^not a folder$/);
  await expect(lockSpool(path.join(file, 'spool'))).rejects.toThrow(/^not a folder$/);
});
