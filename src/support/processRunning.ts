import { readFileSync, readlinkSync } from 'node:fs';

/**
 * Whether a process of this host (this pid namespace) with that id runs: signal 0 checks without sending anything.
 * A zombie (killed, not yet reaped by its parent) does not run, though signal 0 still finds it.
 */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it runs, as another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processState(pid) !== 'Z';
}

/**
 * The fields of /proc/<pid>/stat from the third (the state letter) on, or undefined where /proc cannot tell. The
 * command name before them is in parentheses and may hold spaces, so the split starts after the last ')'.
 */
function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The process's state letter (R, S, D, T, Z…), or undefined where /proc cannot tell. */
function processState(pid: number): string | undefined {
  return procStatFields(pid)?.[0];
}

/** Read once: undefined until then, null where /proc cannot tell. */
let bootId: string | null | undefined;
let ownPidNamespace: string | null | undefined;

/**
 * This process's pid namespace (`pid:[4026531836]`), or undefined where /proc cannot tell. Pids name processes only
 * within one: containers that share a host name (host networking) each have their own.
 */
export function pidNamespace(): string | undefined {
  if (ownPidNamespace === undefined) {
    try {
      ownPidNamespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      ownPidNamespace = null;
    }
  }
  return ownPidNamespace ?? undefined;
}

/**
 * Which process runs under `pid` now, as a text that differs for a later process given the same pid: the kernel's
 * boot id and the process's start time in clock ticks since boot (/proc/<pid>/stat, field 22). Undefined where
 * /proc cannot tell (not Linux, the process gone). Compare it only within one pid namespace (pidNamespace()).
 */
export function processIdentity(pid: number): string | undefined {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = null;
    }
  }
  if (bootId === null) return undefined;
  // Field 22, the 20th from the state letter.
  const startTicks = procStatFields(pid)?.[19];
  return startTicks === undefined ? undefined : `${bootId}:${startTicks}`;
}
