import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalStateStorage } from '../../../src/state/localStateStorage';
import { StateLockedError } from '../../../src/state/stateErrors';
import { until } from '../../support/until';
import { StateLock, isStaleLock, type LockOptions, type LockOwner } from '../../../src/state/stateLock';

let dir: string;
let storage: LocalStateStorage;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-lock-'));
  storage = new LocalStateStorage(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const MINUTE = 60_000;
const EXPIRY = 2 * MINUTE;
const T0 = Date.parse('2024-06-01T10:00:00Z');
const lockFile = () => path.join(dir, 'lock.json');
const readLock = () => JSON.parse(readFileSync(lockFile(), 'utf8'));

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** lock.json as another run wrote it, the file dated `writtenMs` (its heartbeat by default too). */
function foreignLock(writtenMs: number, fields: Partial<{ host: string; pid: number; heartbeatAt: string; token: string; process: string; pidNamespace: string }> = {}) {
  const at = new Date(writtenMs).toISOString();
  writeFileSync(lockFile(), JSON.stringify({ token: 'other', host: 'other-host', pid: 1, acquiredAt: at, heartbeatAt: at, ...fields }));
  utimesSync(lockFile(), new Date(writtenMs), new Date(writtenMs));
}

/** A clock that only the lock's waits move; `waited` is their sum, `onSleep` plays what happens meanwhile. */
function fakeTime(startMs: number, onSleep: (nowMs: number) => void = () => undefined) {
  const time = { nowMs: startMs, waited: 0, sleeps: 0 };
  const options: Pick<LockOptions, 'now' | 'sleep'> = {
    now: () => new Date(time.nowMs),
    sleep: async (ms) => {
      time.nowMs += ms;
      time.waited += ms;
      time.sleeps++;
      onSleep(time.nowMs);
    },
  };
  return { time, options };
}

test('a second run of this process is refused at once while the first holds the lock, and may go once it is released', async () => {
  const first = await StateLock.acquire(storage, { expiryMs: EXPIRY });
  expect(readLock()).toMatchObject({ host: os.hostname(), pid: process.pid });
  const { time, options } = fakeTime(Date.now());
  await expect(StateLock.acquire(storage, { expiryMs: EXPIRY, ...options })).rejects.toThrow(
    new RegExp(`in use by another run \\(host ${os.hostname()}, pid ${process.pid}, since .*, last heartbeat .*\\); try again when it has finished`),
  );
  expect(time.sleeps).toBe(0);
  await first.release();
  expect(existsSync(lockFile())).toBe(false);
  const second = await StateLock.acquire(storage, { expiryMs: EXPIRY });
  await second.verify();
  await second.release();
});

test('a lock whose heartbeat and file are both older than the expiry is taken over at once, whatever the host', async () => {
  foreignLock(T0 - EXPIRY - 1000);
  const takenOver: unknown[] = [];
  const { time, options } = fakeTime(T0);
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...options, onTakeover: (owner) => takenOver.push(owner?.host) });
  expect([takenOver, time.waited]).toEqual([['other-host'], 0]);
  expect(readLock()).toMatchObject({ host: os.hostname(), pid: process.pid, heartbeatAt: '2024-06-01T10:00:00.000Z' });
  await lock.release();
});

test('a lock of another host left by a killed run is taken over once seen unchanged for the expiry (2 minutes)', async () => {
  foreignLock(T0); // killed right after its last heartbeat
  const waits: Date[] = [];
  const { time, options } = fakeTime(T0 + 1000);
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...options, onWait: (_owner, by) => waits.push(by) });
  // Polled every 10 s (a twelfth of the expiry) until 2 minutes after the first look at 10:00:01.
  expect([time.waited, time.sleeps]).toEqual([EXPIRY, 12]);
  expect(waits).toEqual([new Date('2024-06-01T10:02:01Z')]);
  expect(readLock().host).toBe(os.hostname());
  await lock.release();
});

test('a stop while waiting for a held lock ends the wait at once with the stop\'s reason, and takes nothing over', async () => {
  foreignLock(T0); // killed right after its last heartbeat: it would be taken over after 2 minutes
  const stop = new AbortController();
  const reason = new Error('stopped by SIGTERM');
  // The stop comes during the third wait, 30 s into the 2 minutes.
  const { time, options } = fakeTime(T0 + 1000, () => {
    if (time.sleeps === 3) stop.abort(reason);
  });
  const takeovers: unknown[] = [];
  await expect(StateLock.acquire(storage, { expiryMs: EXPIRY, ...options, signal: stop.signal, onTakeover: (owner) => takeovers.push(owner) })).rejects.toBe(reason);
  expect([time.waited, time.sleeps, takeovers]).toEqual([30_000, 3, []]);
  expect(readLock().token).toBe('other');
});

test('the wait between looks (a timer, when no sleep is given) ends when the stop comes', async () => {
  foreignLock(Date.now());
  const stop = new AbortController();
  const reason = new Error('stopped by SIGINT');
  // A poll of an hour: only the stop can end this wait within the test.
  const acquiring = StateLock.acquire(storage, { expiryMs: 24 * 60 * MINUTE, pollMs: 60 * MINUTE, signal: stop.signal, onWait: () => stop.abort(reason) });
  await expect(acquiring).rejects.toBe(reason);
  expect(readLock().token).toBe('other');
});

test('a live holder of another host, whose heartbeat moves while this run waits, is respected', async () => {
  foreignLock(T0);
  const { time, options } = fakeTime(T0, (nowMs) => {
    if (nowMs >= T0 + 40_000) foreignLock(nowMs); // its heartbeat, 40 s after the last
  });
  await expect(StateLock.acquire(storage, { expiryMs: EXPIRY, ...options })).rejects.toThrow(/in use by another run \(host other-host, pid 1, .*last heartbeat 2024-06-01T10:00:40.000Z\)/);
  expect(time.waited).toBe(40_000);
  expect(readLock().token).toBe('other');
});

test('a lock of a live pid of this host is that process\'s only if the process identity it recorded is the one running now', async () => {
  // process.ppid is a live process of this host; its identity read here from /proc: boot id and start time (field 22).
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const parentStat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
  const parentIdentity = `${bootId}:${parentStat.slice(parentStat.lastIndexOf(')') + 2).split(' ')[19]}`;

  // Recorded by another process that had this pid before (another boot): the pid was reused, the holder is gone.
  foreignLock(T0 - MINUTE, { host: os.hostname(), pid: process.ppid, process: `another-boot:${parentIdentity.split(':')[1]}` });
  const reused = fakeTime(T0);
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...reused.options });
  expect([reused.time.waited, readLock().pid]).toEqual([0, process.pid]);
  await lock.release();

  // Recorded by the process running now, silent for an hour (stopped, swapping): it still holds its lock.
  foreignLock(T0 - 60 * MINUTE, { host: os.hostname(), pid: process.ppid, process: parentIdentity });
  const stalled = fakeTime(T0);
  await expect(StateLock.acquire(storage, { expiryMs: EXPIRY, ...stalled.options })).rejects.toThrow(new RegExp(`in use by another run \\(host ${os.hostname()}, pid ${process.ppid}, `));
  expect(stalled.time.sleeps).toBe(0);

  // A lock of an earlier version, with no identity: a live pid holds it, as before.
  foreignLock(T0 - 60 * MINUTE, { host: os.hostname(), pid: process.ppid });
  await expect(StateLock.acquire(storage, { expiryMs: EXPIRY, ...fakeTime(T0).options })).rejects.toThrow(/in use by another run/);
});

test('a run records its own process identity and pid namespace in the lock', async () => {
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY });
  const ownStat = readFileSync('/proc/self/stat', 'utf8');
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  expect(readLock().process).toBe(`${bootId}:${ownStat.slice(ownStat.lastIndexOf(')') + 2).split(' ')[19]}`);
  expect(readLock().pidNamespace).toBe(readlinkSync('/proc/self/ns/pid'));
  await lock.release();
});

test('a lock of this host name but another pid namespace (host networking) is judged by its lease, not by a pid of ours', async () => {
  // Its pid (1 in its own namespace) is here the parent of this process: another process altogether.
  const otherNamespace = { host: os.hostname(), pid: process.ppid, process: 'its-boot:123', pidNamespace: 'pid:[1]' };
  foreignLock(T0 - 10_000, otherNamespace);
  const { time, options } = fakeTime(T0);
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...options });
  // Not taken over at once as a reused pid would be: watched unchanged for the whole expiry, as another host's.
  expect(time.waited).toBe(EXPIRY);
  await lock.release();
  // Its heartbeat moving meanwhile means a live holder: refused.
  foreignLock(T0, otherNamespace);
  const live = fakeTime(T0, (nowMs) => foreignLock(nowMs, otherNamespace));
  await expect(StateLock.acquire(storage, { expiryMs: EXPIRY, ...live.options })).rejects.toThrow(/in use by another run/);
});

test('a holder killed but not reaped (a zombie) is gone: its lock is taken over at once', async () => {
  // sh starts a child that waits for a byte on fd 3, then becomes a sleep, which never reaps it. Once sh is that sleep,
  // the byte ends the child: it stays a zombie.
  const parent = spawn('sh', ['-c', 'head -c 1 <&3 >/dev/null & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] });
  try {
    const zombie = Number((await once(parent.stdout!, 'data'))[0].toString().trim());
    await until(() => readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim() === 'sleep', 'sh to become sleep');
    (parent.stdio[3] as NodeJS.WritableStream).write('x');
    await until(() => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]!.startsWith('Z'), 'the child to become a zombie');
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
    foreignLock(T0 - 10_000, { host: os.hostname(), pid: zombie, process: `${bootId}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`, pidNamespace: readlinkSync('/proc/self/ns/pid') });
    const { time, options } = fakeTime(T0);
    const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...options });
    expect([time.waited, readLock().pid]).toEqual([0, process.pid]);
    await lock.release();
  } finally {
    // Its pipes closed too, so that nothing of it keeps this test's process alive.
    const exited = once(parent, 'exit');
    parent.kill('SIGKILL');
    for (const stream of parent.stdio) stream?.destroy();
    await exited;
  }
});

test('status calls a lock stale exactly when a run would take it over', () => {
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const parentStat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
  const parentIdentity = `${bootId}:${parentStat.slice(parentStat.lastIndexOf(')') + 2).split(' ')[19]}`;
  const old = new Date(T0 - 60 * MINUTE).toISOString();
  const owner = (fields: Partial<LockOwner>): LockOwner => ({ token: 't', host: os.hostname(), pid: process.ppid, acquiredAt: old, heartbeatAt: old, ...fields });
  // A live holder of this host, silent for an hour (stopped): runs are refused, so it is not stale.
  expect(isStaleLock(owner({ process: parentIdentity, pidNamespace: readlinkSync('/proc/self/ns/pid') }), EXPIRY, T0)).toBe(false);
  // Its pid now another process's: stale.
  expect(isStaleLock(owner({ process: 'another-boot:1' }), EXPIRY, T0)).toBe(true);
  // Another host (or pid namespace): by its heartbeat and, when known, the store's time of the write, as acquire() takes
  // it over at once only when both are past the expiry (a slow clock there writes old heartbeats into fresh files).
  expect(isStaleLock(owner({ host: 'other-host' }), EXPIRY, T0)).toBe(true);
  expect(isStaleLock(owner({ host: 'other-host' }), EXPIRY, T0, T0 - 10_000)).toBe(false);
  expect(isStaleLock(owner({ host: 'other-host' }), EXPIRY, T0, T0 - 3 * MINUTE)).toBe(true);
  expect(isStaleLock(owner({ host: 'other-host', heartbeatAt: new Date(T0 - MINUTE).toISOString() }), EXPIRY, T0)).toBe(false);
  expect(isStaleLock(owner({ pidNamespace: 'pid:[1]' }), EXPIRY, T0)).toBe(true);
});

test('clocks of other hosts never decide alone: an old heartbeat in a fresh file is watched, a future one expires by this clock', async () => {
  // The holder's clock is an hour behind: its heartbeat looks old, but the store dated the write now.
  foreignLock(T0, { heartbeatAt: new Date(T0 - 3600_000).toISOString() });
  const behind = fakeTime(T0, (nowMs) => foreignLock(nowMs, { heartbeatAt: new Date(nowMs - 3600_000).toISOString() }));
  await expect(StateLock.acquire(storage, { expiryMs: EXPIRY, ...behind.options })).rejects.toThrow(/in use by another run/);
  expect(behind.time.waited).toBe(10_000);
  // A dead holder whose clock was a day ahead: its heartbeat never looks old, yet it is taken over after the expiry.
  foreignLock(T0, { heartbeatAt: new Date(T0 + 86_400_000).toISOString() });
  const ahead = fakeTime(T0);
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...ahead.options });
  expect(ahead.time.waited).toBe(EXPIRY);
  await lock.release();
});

test('a lock of a process of this host that has exited is taken over at once, as is this pid\'s from a former process', async () => {
  for (const pid of [deadPid(), process.pid]) {
    foreignLock(Date.now(), { host: os.hostname(), pid });
    const { time, options } = fakeTime(Date.now());
    const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...options });
    expect([readLock().token === 'other', time.waited]).toEqual([false, 0]);
    await lock.release();
  }
});

describe('an empty or unparsable lock.json (a run killed while taking the lock, or one writing it right now)', () => {
  test.each([[''], ['{"token":"half-writ']])('%j is waited for, never refused at once nor deleted, and taken over once the file is older than the expiry', async (text) => {
    writeFileSync(lockFile(), text);
    utimesSync(lockFile(), new Date(T0), new Date(T0));
    const { time, options } = fakeTime(T0 + MINUTE, () => expect(readFileSync(lockFile(), 'utf8')).toBe(text));
    const takenOver: unknown[] = [];
    const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, ...options, onTakeover: (owner) => takenOver.push(owner) });
    // Looks at 10:01:00, 10:01:10 … 10:02:00 (exactly 2 minutes old: not older), 10:02:10: taken over.
    expect([time.waited, takenOver]).toEqual([70_000, [undefined]]);
    expect(readLock()).toMatchObject({ host: os.hostname(), pid: process.pid });
    await lock.release();
  });

  test('one that becomes a lock while this run waits belongs to a live run: refused', async () => {
    writeFileSync(lockFile(), '');
    const { options } = fakeTime(Date.now(), (nowMs) => foreignLock(nowMs));
    const attempt = StateLock.acquire(storage, { expiryMs: EXPIRY, ...options });
    await expect(attempt).rejects.toThrow(StateLockedError);
    await expect(attempt.catch((err: Error) => err.message)).resolves.not.toMatch(/delete/);
    expect(readLock().token).toBe('other');
  });
});

test('the heartbeat keeps a long run from looking stale', async () => {
  let now = T0;
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, now: () => new Date(now), heartbeatMs: 20 });
  now += 25 * MINUTE;
  jest.advanceTimersByTime(20); // one heartbeat
  jest.useRealTimers();
  await lock.renew(); // queued behind it: once it resolves, the heartbeat has been written
  expect(readLock().heartbeatAt).toBe('2024-06-01T10:25:00.000Z');
  await lock.release();
  expect(existsSync(lockFile())).toBe(false);
});

test('verify() renews the lease, so a run that stalled past its expiry still commits when nobody took its lock', async () => {
  let now = T0;
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, now: () => new Date(now), heartbeatMs: 60 * MINUTE });
  now += 10 * MINUTE;
  await lock.verify();
  expect(readLock().heartbeatAt).toBe('2024-06-01T10:10:00.000Z');
  await lock.release();
});

test('a holder whose lock was taken over cannot commit, and leaves the new holder\'s lock alone', async () => {
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, heartbeatMs: 60 * MINUTE });
  foreignLock(Date.now()); // another run took it over, as after missed heartbeats
  await expect(lock.verify()).rejects.toThrow(/taken over by another run; this run's figures are not committed/);
  await lock.release();
  expect(readLock().token).toBe('other');
});

test('replace() refuses a version that has been replaced since it was read', async () => {
  await storage.write('lock.json', Buffer.from('a'));
  const seen = (await storage.readVersioned('lock.json'))!;
  expect(await storage.replace('lock.json', Buffer.from('b'), seen.version)).toBe(true);
  expect(await storage.replace('lock.json', Buffer.from('c'), seen.version)).toBe(false);
  expect(readFileSync(lockFile(), 'utf8')).toBe('b');
  rmSync(lockFile());
  expect(await storage.replace('lock.json', Buffer.from('d'), seen.version)).toBe(false);
});

test('a holder released after another run took its lock over, before any heartbeat noticed, leaves the new lock alone', async () => {
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, heartbeatMs: 60 * MINUTE });
  foreignLock(Date.now()); // taken over; no renew() or verify() since
  await lock.release();
  expect(readLock().token).toBe('other');
});

test('a run whose create() was overwritten by a racing run (a store that ignores If-None-Match) is refused by its read-back', async () => {
  // The other run's unconditional put lands just after this run's: both writes "succeeded".
  const racing = new (class extends LocalStateStorage {
    override async create(name: string, data: Buffer): Promise<boolean> {
      const created = await super.create(name, data);
      foreignLock(T0, { host: 'racer', pid: 4242 });
      return created;
    }
  })(dir);
  await expect(StateLock.acquire(racing, { expiryMs: EXPIRY })).rejects.toThrow(
    new StateLockedError(`the state ${dir} was locked by another run at the same moment (host racer, pid 4242, since 2024-06-01T10:00:00.000Z, last heartbeat 2024-06-01T10:00:00.000Z)`),
  );
  expect(readLock().token).toBe('other');
});

test('a heartbeat that loses the race to a takeover (the lock replaced between its read and its write) marks the run as not holding it', async () => {
  const lock = await StateLock.acquire(storage, { expiryMs: EXPIRY, heartbeatMs: 60 * MINUTE });
  // The takeover lands after the heartbeat read this run's lock, before its conditional replace.
  const readVersioned = storage.readVersioned.bind(storage);
  let raced = false;
  storage.readVersioned = async (name) => {
    const seen = await readVersioned(name);
    if (!raced) {
      raced = true;
      foreignLock(Date.now());
    }
    return seen;
  };
  await expect(lock.verify()).rejects.toThrow(/taken over by another run; this run's figures are not committed/);
  await lock.release();
  expect(readLock().token).toBe('other');
});
