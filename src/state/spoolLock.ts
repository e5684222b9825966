/**
 * One run at a time uses a HEC spool folder: reads its files, adds to its own, resends earlier ones. Without it, two
 * runs sharing a spool (two nightly jobs on one host with the default spool) could each resend the same earlier file,
 * or one could resend and delete another's file while that run was adding to it, losing what it added.
 *
 * The lock is the state's lease (StateLock: `lock.json`, created only if absent, a heartbeat, taken over when its
 * process is gone or its heartbeat is past the expiry), kept in the spool folder, where `hec-*.ndjson` never matches
 * it. It is held for one use at a time, so a wait is short; a run that finds the spool in use waits, up to a limit.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { errnoCode } from '../support/errnoCode';
import { makeDirs } from '../support/makeDirs';
import { LocalStateStorage } from './localStateStorage';
import { StateLockedError } from './stateErrors';
import { LOCK_NAME } from './stateLayout';
import { StateLock, describeLockOwner, parseLockOwner, type LockOwner } from './stateLock';

/** How long a run waits for another to finish with the spool. A run holds it for one use at a time: short. */
export const SPOOL_WAIT_MS = 15 * 60_000;
/** How often a waiting run looks again. */
const SPOOL_POLL_MS = 2_000;
/** A holder on another host whose heartbeat is older than this is taken over (on this host: once its process is gone). */
export const SPOOL_LOCK_EXPIRY_MS = 2 * 60_000;

export interface SpoolLockOptions {
  waitMs?: number;
  pollMs?: number;
  expiryMs?: number;
  now?: () => Date;
  /** Waits between looks (tests inject one that moves their clock, or lets the holder finish); it may reject once `signal` aborts. */
  sleep?(ms: number): Promise<void>;
  /** The run was stopped (SIGTERM): it waits no longer. */
  signal?: AbortSignal;
  /** Told once, when the spool is in use and this run starts to wait: who holds it, and until when this run waits. */
  onWait?(holder: string, until: Date): void;
  /** Told when the lock of a run that is gone (or silent past the expiry) is taken over. */
  onTakeover?(holder: string): void;
}

/** The spool, held by this run until release(). */
export interface SpoolHold {
  release(): Promise<void>;
  /**
   * Why the spool is used without its lock: the folder cannot be written at all (EACCES, EROFS, EPERM), so nothing
   * can be added to it by this run or another; or its disk is full (ENOSPC, EDQUOT), where the lock cannot be made
   * but delivery must go on. The caller says what that means for its events.
   */
  readonly notLocked?: string;
}

const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT']);

/** Takes the spool folder `dir` for this run, waiting while another run holds it; throws StateLockedError past the wait. */
export async function lockSpool(dir: string, options: SpoolLockOptions = {}): Promise<SpoolHold> {
  const now = options.now ?? (() => new Date());
  const { signal } = options;
  const sleep = options.sleep ?? ((ms: number) => delay(ms, undefined, { signal }));
  const stopped = () => new StateLockedError('the run was stopped while it waited for another run to finish with it');
  const waitMs = options.waitMs ?? SPOOL_WAIT_MS;
  const pollMs = options.pollMs ?? SPOOL_POLL_MS;
  const expiryMs = options.expiryMs ?? SPOOL_LOCK_EXPIRY_MS;
  const storage = new LocalStateStorage(dir);
  const started = now().getTime();
  let told = false;
  const onWait = (holder: string) => {
    if (!told) options.onWait?.(holder, new Date(started + waitMs));
    told = true;
  };
  const lockOptions = {
    expiryMs,
    now,
    sleep,
    pollMs,
    // StateLock waits by itself for a holder on another host (until its heartbeat is past the expiry).
    onWait: (owner: LockOwner | undefined) => onWait(holderText(owner)),
    onTakeover: (owner: LockOwner | undefined) => options.onTakeover?.(holderText(owner)),
  };
  for (;;) {
    // Whether the folder can be written is asked of the folder, not of another run's lock file (which another user's
    // run may have made unreadable to this one).
    try {
      await makeDirs(dir);
      await fs.access(dir, fsConstants.W_OK);
    } catch (error) {
      const code = errnoCode(error);
      if (UNWRITABLE.has(code)) return { notLocked: code, release: async () => undefined };
      // mkdir says EEXIST for a file of that name, ENOTDIR for a file on the way to it.
      if (code === 'EEXIST' || code === 'ENOTDIR') throw new Error('not a folder', { cause: error });
      throw error;
    }
    // A stopped run still takes a free spool (its run event goes there); it only does not wait for a held one.
    try {
      return await StateLock.acquire(storage, lockOptions);
    } catch (error) {
      const code = errnoCode((error as { cause?: unknown }).cause ?? error);
      if (NO_ROOM.has(code)) return { notLocked: code, release: async () => undefined };
      if (signal?.aborted) throw stopped();
      // EACCES here is another user's lock file this run cannot read: a holder, as any other.
      if (!(error instanceof StateLockedError) && code !== 'EACCES') throw error;
    }
    if (signal?.aborted) throw stopped();
    const holder = await holderOf(storage);
    const waited = now().getTime() - started;
    if (waited >= waitMs) {
      throw new StateLockedError(`still in use by another run after waiting ${durationText(waitMs)} (${holder}); try again when it has finished`);
    }
    onWait(holder);
    await sleep(Math.min(pollMs, waitMs - waited)).catch((error: unknown) => {
      if (!signal?.aborted) throw error;
    });
  }
}

async function holderOf(storage: LocalStateStorage): Promise<string> {
  const bytes = await storage.read(LOCK_NAME).catch(() => undefined);
  return holderText(bytes === undefined ? undefined : parseLockOwner(bytes));
}

/** The holder for messages; undefined: its lock file could not be read. */
function holderText(owner: LockOwner | undefined): string {
  return owner === undefined ? 'a run whose lock file could not be read' : describeLockOwner(owner);
}

function durationText(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${Math.round(ms / 1000)} s`;
}
