import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processRunning } from './processRunning';

/**
 * Folders under the system's temporary folder that one process writes and removes at its end: a run's evicted days
 * (without --state), an S3 state's local copy. A killed process (SIGKILL, the OOM killer) cannot remove its own, and
 * they can be hundreds of MB, so each run removes those of the processes of this host that are gone. The host's name
 * is in the folder's, so that containers sharing a temporary folder, each with its own process ids, never take
 * another's live process for a dead one.
 */
export type ScratchKind = 'run' | 'state';

export interface ScratchPlace {
  /** Defaults to os.tmpdir() (TMPDIR). */
  tmpdir?: string;
  /** Defaults to os.hostname(). */
  hostname?: string;
}

const PREFIX = 'auth0-usage-';

/**
 * The folder names this process has given out. A folder of this process's id that is not one of them is a former
 * process's: a container restarted in the same pod has the same host name, the same /tmp and, often, the same pid.
 */
const madeHere = new Set<string>();

function hostPart(hostname: string): string {
  return hostname.replace(/[^A-Za-z0-9.-]/g, '_');
}

function ownerPrefix(kind: ScratchKind, place: ScratchPlace): string {
  return `${PREFIX}${kind}-${hostPart(place.hostname ?? os.hostname())}-`;
}

/** A new folder name for this process (not created): `auth0-usage-<kind>-<host>-<pid>-<8 hex>`. */
export function scratchDirFor(kind: ScratchKind, place: ScratchPlace = {}): string {
  const name = `${ownerPrefix(kind, place)}${process.pid}-${randomBytes(4).toString('hex')}`;
  madeHere.add(name);
  return path.join(place.tmpdir ?? os.tmpdir(), name);
}

/** Removes the scratch folders of this host's processes that are no longer running; returns their paths. */
export function sweepAbandonedScratchDirs(place: ScratchPlace = {}): string[] {
  const tmpdir = place.tmpdir ?? os.tmpdir();
  let names: string[];
  try {
    names = readdirSync(tmpdir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const kind of ['run', 'state'] as const) {
    const prefix = ownerPrefix(kind, place);
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const owner = /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length));
      if (!owner) continue;
      const pid = Number(owner[1]);
      if (pid === process.pid ? madeHere.has(name) : processRunning(pid)) continue;
      const dir = path.join(tmpdir, name);
      try {
        rmSync(dir, { recursive: true, force: true });
        removed.push(dir);
      } catch {
        // Another run removed it first, or it is not ours to remove: left as it is.
      }
    }
  }
  return removed;
}
