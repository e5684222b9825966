import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { pidNamespace, processIdentity, processRunning } from '../support/processRunning';
import { LOCK_NAME } from './stateLayout';
import { StateLockedError } from './stateErrors';
import type { StateStorage } from './stateStorage';

const ownerSchema = z.object({
  token: z.string(),
  host: z.string(),
  pid: z.number().int(),
  acquiredAt: z.string(),
  heartbeatAt: z.string(),
  /** processIdentity() of the holder when it took the lock: tells a later process given the same pid apart. */
  process: z.string().optional(),
  /** The holder's pid namespace: its pid means nothing in another (a container sharing the host name). */
  pidNamespace: z.string().optional(),
});
export type LockOwner = z.infer<typeof ownerSchema>;

export interface LockOptions {
  /** The lease: a lock whose heartbeat is older than this is taken over, whatever the host. */
  expiryMs: number;
  now?: () => Date;
  /** How often the holder renews its lease [default: a third of expiryMs, at most a minute]. */
  heartbeatMs?: number;
  /** How often a waiting run looks at a held lock again [default: a twelfth of expiryMs, at most 10 s]. */
  pollMs?: number;
  /** Waits between looks (tests inject one that moves their clock). */
  sleep?(ms: number): Promise<void>;
  /** Ends the wait for a held lock: acquire() then throws the signal's reason, and takes nothing over. */
  signal?: AbortSignal;
  /** Told once when the lock is held and this run waits to see whether its heartbeat moves (at most until `takenOverBy`). */
  onWait?(owner: LockOwner | undefined, takenOverBy: Date): void;
  /** Told when a stale lock is taken over. */
  onTakeover?(owner: LockOwner | undefined): void;
}

/** Parses lock.json; undefined when it is not a lock (half-written or damaged). */
export function parseLockOwner(bytes: Buffer): LockOwner | undefined {
  try {
    const parsed = ownerSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Tokens of the locks this process holds: a lock of this host and pid that is not one of them is a former process's. */
const heldHere = new Set<string>();

/**
 * Held by a process of this host: whether it runs is known for certain. A restarted container reuses its pid (this
 * process's pid, not its token), and after a reboot or restart another process may have the holder's pid: the
 * process identity it recorded (boot and start time) then differs. A live holder keeps its lock however long it
 * stalls (stopped, swapping): only its end frees it.
 */
function localHolderAlive(owner: LockOwner): boolean | undefined {
  if (owner.host !== os.hostname()) return undefined;
  // Another pid namespace on this host (host networking): its pids are not ours to look up; judged by its lease.
  if (owner.pidNamespace !== undefined && owner.pidNamespace !== pidNamespace()) return undefined;
  if (owner.pid === process.pid) return heldHere.has(owner.token);
  if (!processRunning(owner.pid)) return false;
  const now = owner.process === undefined ? undefined : processIdentity(owner.pid);
  return now === undefined || now === owner.process;
}

/**
 * Stale (what `status` says): what acquire() takes over at once. Held by a process of this host, once that process
 * is gone, however old its heartbeat; else when both its heartbeat and the store's time of the write
 * (`writtenMs`, when known) are past the expiry, so that a slow clock on another host does not decide alone.
 */
export function isStaleLock(owner: LockOwner, expiryMs: number, nowMs: number, writtenMs?: number): boolean {
  const alive = localHolderAlive(owner);
  if (alive !== undefined) return !alive;
  return nowMs - Date.parse(owner.heartbeatAt) > expiryMs && (writtenMs === undefined || nowMs - writtenMs > expiryMs);
}

export function describeLockOwner(owner: LockOwner): string {
  return `host ${owner.host}, pid ${owner.pid}, since ${owner.acquiredAt}, last heartbeat ${owner.heartbeatAt}`;
}

const encode = (owner: LockOwner): Buffer => Buffer.from(JSON.stringify(owner));

/**
 * One run's lease on a state: `lock.json`, created only if absent (O_EXCL locally; `If-None-Match: *` on S3),
 * renewed by a heartbeat and taken over only with the version that was judged stale (`If-Match` on S3).
 *
 * A run that finds the lock held waits at most the expiry: it is taken over at once when both the holder's
 * heartbeat and the store's time of the write are older than the expiry, or when this run sees it unchanged for
 * the whole expiry by its own clock (so no clock of another host decides alone); a heartbeat that moves meanwhile
 * means a live holder, and the run is refused. Where a store ignores the conditions (s3rver does), the read-back
 * after every write and verify() before every commit still make sure at most one of two racing runs commits.
 */
export class StateLock {
  private timer: NodeJS.Timeout | undefined;
  private beat: Promise<void> = Promise.resolve();
  private lost = false;

  private constructor(
    private readonly storage: StateStorage,
    private owner: LockOwner,
    private readonly options: LockOptions,
  ) {}

  static async acquire(storage: StateStorage, options: LockOptions): Promise<StateLock> {
    const now = options.now ?? (() => new Date());
    const { signal } = options;
    // Cut short by the signal; the loop then throws its reason before it looks again.
    const sleep = options.sleep ?? ((ms: number) => delay(ms, undefined, { signal }).catch(() => undefined));
    const pollMs = options.pollMs ?? Math.min(options.expiryMs / 12, 10_000);
    const stamp = now().toISOString();
    const identity = processIdentity(process.pid);
    const namespace = pidNamespace();
    const owner: LockOwner = {
      token: randomUUID(),
      host: os.hostname(),
      pid: process.pid,
      acquiredAt: stamp,
      heartbeatAt: stamp,
      ...(identity ? { process: identity } : {}),
      ...(namespace ? { pidNamespace: namespace } : {}),
    };
    const inUse = (holder: LockOwner | undefined) =>
      new StateLockedError(
        `the state ${storage.location} is in use by another run${holder ? ` (${describeLockOwner(holder)})` : ''}; try again when it has finished`,
      );
    let watched: { version: string; since: number } | undefined;
    let races = 0;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const existing = await storage.readVersioned(LOCK_NAME);
      let written: boolean;
      if (existing === undefined) {
        written = await storage.create(LOCK_NAME, encode(owner));
      } else {
        const holder = parseLockOwner(existing.data);
        if (holder && localHolderAlive(holder) === true) throw inUse(holder);
        const nowMs = now().getTime();
        if (watched !== undefined && watched.version !== existing.version) throw inUse(holder);
        watched ??= { version: existing.version, since: nowMs };
        if (!(await StateLock.stale(storage, holder, options.expiryMs, nowMs, watched.since))) {
          if (nowMs === watched.since) options.onWait?.(holder, new Date(nowMs + options.expiryMs));
          await sleep(Math.min(pollMs, watched.since + options.expiryMs - nowMs));
          continue;
        }
        options.onTakeover?.(holder);
        written = await storage.replace(LOCK_NAME, encode(owner), existing.version);
      }
      if (!written) {
        // Another run created or took it over between the look and the write: look again, a few times.
        if (++races >= 3) throw inUse(undefined);
        watched = undefined;
        continue;
      }
      const back = await storage.read(LOCK_NAME);
      const holder = back === undefined ? undefined : parseLockOwner(back);
      if (holder?.token !== owner.token) {
        throw new StateLockedError(`the state ${storage.location} was locked by another run at the same moment${holder ? ` (${describeLockOwner(holder)})` : ''}`);
      }
      const lock = new StateLock(storage, owner, options);
      heldHere.add(owner.token);
      lock.startHeartbeat();
      return lock;
    }
  }

  /**
   * Whether a held lock (`holder` undefined: empty or unparsable) may be taken over: a process of this host that
   * is gone; or both the heartbeat and the store's time of the write past the expiry; or seen unchanged as long.
   */
  private static async stale(storage: StateStorage, holder: LockOwner | undefined, expiryMs: number, nowMs: number, watchedSince: number): Promise<boolean> {
    if (nowMs - watchedSince >= expiryMs) return true;
    if (holder && localHolderAlive(holder) === false) return true;
    if (holder && !(nowMs - Date.parse(holder.heartbeatAt) > expiryMs)) return false;
    const written = await storage.modifiedAt(LOCK_NAME);
    return written !== undefined && nowMs - written.getTime() > expiryMs;
  }

  /**
   * Renews the lease now and throws when it is no longer this run's (taken over after missed heartbeats). Called
   * before every commit: a run that stalled past its expiry still commits if nobody took its lock meanwhile.
   */
  async verify(): Promise<void> {
    await this.renew();
    if (this.lost) {
      throw new StateLockedError(`the lock on the state ${this.storage.location} was taken over by another run; this run's figures are not committed`);
    }
  }

  /** One heartbeat: rewrites the lock with a new time, only while it is still this run's version. */
  renew(): Promise<void> {
    const now = this.options.now ?? (() => new Date());
    this.beat = this.beat.catch(() => undefined).then(async () => {
      if (this.lost) return;
      const current = await this.storage.readVersioned(LOCK_NAME);
      if (current === undefined || parseLockOwner(current.data)?.token !== this.owner.token) {
        this.lost = true;
        return;
      }
      const renewed = { ...this.owner, heartbeatAt: now().toISOString() };
      if (await this.storage.replace(LOCK_NAME, encode(renewed), current.version)) this.owner = renewed;
      else this.lost = true;
    });
    return this.beat;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    heldHere.delete(this.owner.token);
    await this.beat.catch(() => undefined);
    if (this.lost) return;
    const bytes = await this.storage.read(LOCK_NAME);
    if (bytes !== undefined && parseLockOwner(bytes)?.token === this.owner.token) await this.storage.remove(LOCK_NAME);
  }

  private startHeartbeat(): void {
    const every = this.options.heartbeatMs ?? Math.min(this.options.expiryMs / 3, 60_000);
    this.timer = setInterval(() => {
      // A missed beat is retried at the next one; verify() before the commit has the last word.
      this.renew().catch(() => undefined);
    }, every);
    // The heartbeat alone must not keep the process alive.
    this.timer.unref();
  }
}
