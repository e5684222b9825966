import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalStateStorage } from '../../../src/state/localStateStorage';
import { StateLockedError } from '../../../src/state/stateErrors';
import { StateLock } from '../../../src/state/stateLock';

let dir: string;
let storage: LocalStateStorage;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-lock-'));
  storage = new LocalStateStorage(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const MINUTE = 60_000;
const lockFile = () => path.join(dir, 'lock.json');
const readLock = () => JSON.parse(readFileSync(lockFile(), 'utf8'));

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function foreignLock(fields: Partial<{ host: string; pid: number; heartbeatAt: string }>) {
  const at = new Date().toISOString();
  writeFileSync(lockFile(), JSON.stringify({ token: 'other', host: 'other-host', pid: 1, acquiredAt: at, heartbeatAt: at, ...fields }));
}

test('a second run is refused while the first holds the lock, and may go once it is released', async () => {
  const first = await StateLock.acquire(storage, { staleMs: 30 * MINUTE });
  expect(readLock()).toMatchObject({ host: os.hostname(), pid: process.pid });
  const refused = StateLock.acquire(storage, { staleMs: 30 * MINUTE });
  await expect(refused).rejects.toThrow(StateLockedError);
  await expect(StateLock.acquire(storage, { staleMs: 30 * MINUTE })).rejects.toThrow(
    new RegExp(`in use by another run \\(host ${os.hostname()}, pid ${process.pid}, since .*, last heartbeat .*\\); try again when it has finished`),
  );
  await first.release();
  expect(existsSync(lockFile())).toBe(false);
  const second = await StateLock.acquire(storage, { staleMs: 30 * MINUTE });
  await second.verify();
  await second.release();
});

test('a lock without a heartbeat for the stale time is taken over', async () => {
  foreignLock({ heartbeatAt: new Date(Date.now() - 31 * MINUTE).toISOString() });
  const takenOver: unknown[] = [];
  const lock = await StateLock.acquire(storage, { staleMs: 30 * MINUTE, onTakeover: (owner) => takenOver.push(owner?.host) });
  expect(takenOver).toEqual(['other-host']);
  expect(readLock().host).toBe(os.hostname());
  await lock.release();
});

test('a fresh lock of another host is respected', async () => {
  foreignLock({ heartbeatAt: new Date(Date.now() - 29 * MINUTE).toISOString() });
  await expect(StateLock.acquire(storage, { staleMs: 30 * MINUTE })).rejects.toThrow(/host other-host, pid 1/);
  expect(readLock().token).toBe('other');
});

test('a lock of a process of this host that has exited is taken over at once', async () => {
  foreignLock({ host: os.hostname(), pid: deadPid() });
  const lock = await StateLock.acquire(storage, { staleMs: 30 * MINUTE });
  expect(readLock().pid).toBe(process.pid);
  await lock.release();
});

describe('an empty or unparsable lock.json (a run killed while taking the lock, or one writing it right now)', () => {
  test.each([[''], ['{"token":"half-writ']])('%j is refused while younger than the lease, naming when it goes stale, never advising to delete it', async (text) => {
    writeFileSync(lockFile(), text);
    const written = Date.parse('2024-06-01T10:00:00Z');
    utimesSync(lockFile(), new Date(written), new Date(written));
    const at = (ms: number) => () => new Date(ms);
    const attempt = StateLock.acquire(storage, { staleMs: 30 * MINUTE, now: at(written + 30 * MINUTE) });
    await expect(attempt).rejects.toThrow(StateLockedError);
    await expect(StateLock.acquire(storage, { staleMs: 30 * MINUTE, now: at(written + 30 * MINUTE) })).rejects.toThrow(
      `the state ${dir} has a lock.json that is empty or unreadable, written 2024-06-01T10:00:00.000Z: a run may be taking the lock right now; it counts as stale after 2024-06-01T10:30:00.000Z, and the next run then takes it over`,
    );
    await expect(attempt.catch((err: Error) => err.message)).resolves.not.toMatch(/delete/);
    expect(readFileSync(lockFile(), 'utf8')).toBe(text);
  });

  test('is taken over once older than the lease, by the file time', async () => {
    writeFileSync(lockFile(), '');
    const written = Date.parse('2024-06-01T10:00:00Z');
    utimesSync(lockFile(), new Date(written), new Date(written));
    const takenOver: unknown[] = [];
    const lock = await StateLock.acquire(storage, { staleMs: 30 * MINUTE, now: () => new Date(written + 30 * MINUTE + 1000), onTakeover: (owner) => takenOver.push(owner) });
    expect(takenOver).toEqual([undefined]);
    expect(readLock()).toMatchObject({ host: os.hostname(), pid: process.pid });
    await lock.release();
  });
});

test('the heartbeat keeps a long run from looking stale', async () => {
  let now = Date.parse('2024-06-01T00:00:00Z');
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const lock = await StateLock.acquire(storage, { staleMs: 30 * MINUTE, now: () => new Date(now), heartbeatMs: 20 });
  now += 25 * MINUTE;
  jest.advanceTimersByTime(20); // one heartbeat; verify() waits for its write
  jest.useRealTimers();
  await lock.verify();
  expect(readLock().heartbeatAt).toBe('2024-06-01T00:25:00.000Z');
  await lock.release();
  expect(existsSync(lockFile())).toBe(false);
});

test('a holder whose lock was taken over cannot commit, and leaves the new holder\'s lock alone', async () => {
  const lock = await StateLock.acquire(storage, { staleMs: 30 * MINUTE, heartbeatMs: 60 * MINUTE });
  foreignLock({}); // another run took it over, as after missed heartbeats
  await expect(lock.verify()).rejects.toThrow(/taken over by another run; this run's figures are not committed/);
  await lock.release();
  expect(readLock().token).toBe('other');
});
