import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { LOCK_NAME } from './stateLayout';
import { StateLockedError } from './stateErrors';
import type { StateStorage } from './stateStorage';

const ownerSchema = z.object({
  token: z.string(),
  host: z.string(),
  pid: z.number().int(),
  acquiredAt: z.string(),
  heartbeatAt: z.string(),
});
export type LockOwner = z.infer<typeof ownerSchema>;

export interface LockOptions {
  /** A lock whose heartbeat is older than this is taken over. */
  staleMs: number;
  now?: () => Date;
  /** How often the holder refreshes its heartbeat [default: a third of staleMs, at most a minute]. */
  heartbeatMs?: number;
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stale: no heartbeat for staleMs, or held by a process of this host that no longer exists. */
export function isStaleLock(owner: LockOwner, staleMs: number, nowMs: number): boolean {
  if (nowMs - Date.parse(owner.heartbeatAt) > staleMs) return true;
  return owner.host === os.hostname() && owner.pid !== process.pid && !processAlive(owner.pid);
}

export function describeLockOwner(owner: LockOwner): string {
  return `host ${owner.host}, pid ${owner.pid}, since ${owner.acquiredAt}, last heartbeat ${owner.heartbeatAt}`;
}

/**
 * One run's hold on a state: `lock.json`, created only if absent (O_EXCL locally; a conditional PUT on S3) and
 * refreshed by a heartbeat. Where a store ignores conditional PUTs, the look before and the read-back after
 * still refuse a run that starts while another holds the lock; and verify() before every commit makes sure
 * that at most one of two simultaneous starters ever commits.
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
    const stamp = now().toISOString();
    const owner: LockOwner = { token: randomUUID(), host: os.hostname(), pid: process.pid, acquiredAt: stamp, heartbeatAt: stamp };
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await storage.read(LOCK_NAME);
      if (existing !== undefined) {
        const holder = parseLockOwner(existing);
        if (holder === undefined) {
          // Empty or half-written: a run killed between creating and writing it, or one writing it right now. Only
          // its age tells them apart, so it is taken over once no heartbeat could have been missed for longer.
          const written = await storage.modifiedAt(LOCK_NAME);
          if (written !== undefined && now().getTime() - written.getTime() <= options.staleMs) {
            const after = new Date(written.getTime() + options.staleMs).toISOString();
            throw new StateLockedError(
              `the state ${storage.location} has a ${LOCK_NAME} that is empty or unreadable, written ${written.toISOString()}: ` +
                `a run may be taking the lock right now; it counts as stale after ${after}, and the next run then takes it over`,
            );
          }
          options.onTakeover?.(undefined);
          await storage.remove(LOCK_NAME);
        } else if (!isStaleLock(holder, options.staleMs, now().getTime())) {
          throw new StateLockedError(`the state ${storage.location} is in use by another run (${describeLockOwner(holder)}); try again when it has finished`);
        } else {
          options.onTakeover?.(holder);
          await storage.remove(LOCK_NAME);
        }
      }
      if (!(await storage.create(LOCK_NAME, Buffer.from(JSON.stringify(owner))))) continue;
      const back = await storage.read(LOCK_NAME);
      const holder = back === undefined ? undefined : parseLockOwner(back);
      if (holder?.token !== owner.token) {
        throw new StateLockedError(`the state ${storage.location} was locked by another run at the same moment${holder ? ` (${describeLockOwner(holder)})` : ''}`);
      }
      const lock = new StateLock(storage, owner, options);
      lock.startHeartbeat();
      return lock;
    }
    throw new StateLockedError(`the state ${storage.location} is in use by another run; try again when it has finished`);
  }

  /** Throws when the lock is no longer this run's (taken over after missed heartbeats). */
  async verify(): Promise<void> {
    await this.beat;
    const bytes = await this.storage.read(LOCK_NAME);
    const holder = bytes === undefined ? undefined : parseLockOwner(bytes);
    if (this.lost || holder?.token !== this.owner.token) {
      this.lost = true;
      throw new StateLockedError(`the lock on the state ${this.storage.location} was taken over by another run; this run's figures are not committed`);
    }
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beat;
    if (this.lost) return;
    const bytes = await this.storage.read(LOCK_NAME);
    if (bytes !== undefined && parseLockOwner(bytes)?.token === this.owner.token) await this.storage.remove(LOCK_NAME);
  }

  private startHeartbeat(): void {
    const every = this.options.heartbeatMs ?? Math.min(this.options.staleMs / 3, 60_000);
    const now = this.options.now ?? (() => new Date());
    this.timer = setInterval(() => {
      this.beat = this.beat.then(async () => {
        if (this.lost) return;
        try {
          const bytes = await this.storage.read(LOCK_NAME);
          if (bytes === undefined || parseLockOwner(bytes)?.token !== this.owner.token) {
            this.lost = true;
            return;
          }
          this.owner = { ...this.owner, heartbeatAt: now().toISOString() };
          await this.storage.write(LOCK_NAME, Buffer.from(JSON.stringify(this.owner)));
        } catch {
          // A missed beat is retried at the next one; verify() before the commit has the last word.
        }
      });
    }, every);
    // The heartbeat alone must not keep the process alive.
    this.timer.unref();
  }
}
