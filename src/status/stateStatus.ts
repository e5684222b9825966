import { isStaleLock, parseLockOwner, type LockOwner } from '../state/stateLock';
import { LAST_RUN_NAME, LOCK_NAME } from '../state/stateLayout';
import { shardDoneName, shardOfDoneName, shardOfPartialName, shardsOfMergedName } from '../state/shardLayout';
import { parseShardDone } from '../state/shardPartial';
import { readLastRun, readManifest, type LastRun } from '../state/stateLoad';
import type { StateManifest } from '../state/stateManifest';
import type { StateStorage } from '../state/stateStorage';
import type { SpoolCount } from '../sinks/hec/spoolCount';

/** A lock as status shows it: its holder and whether it is stale, 'unreadable', or undefined when there is none. */
export type LockStatus = { owner: LockOwner; stale: boolean } | 'unreadable' | undefined;

/**
 * A lock file's bytes (undefined: there is none) as status shows it: the state's lock and the spool's alike.
 * `writtenMs`: when the store wrote it (file mtime, S3's LastModified), as acquire() also weighs it.
 */
export function lockStatusOf(bytes: Buffer | undefined, staleMs: number, nowMs: number, writtenMs?: number): LockStatus {
  if (bytes === undefined) return undefined;
  const owner = parseLockOwner(bytes);
  return owner === undefined ? 'unreadable' : { owner, stale: isStaleLock(owner, staleMs, nowMs, writtenMs) };
}

/** The HEC spool's waiting events, and the run holding it for a use of it, if one is (its `lock.json`). */
export type StatusSpool = SpoolCount & { dir: string; holder?: LockStatus };

/** What `auth0-usage status` shows; read without taking the lock. */
export interface StateStatus {
  location: string;
  manifest: StateManifest | undefined;
  lastRun: LastRun | 'unreadable' | undefined;
  lock: LockStatus;
  spool: StatusSpool;
  /**
   * Backfills run as shards and not merged yet: for each shard count N, the shards that finished, as the merge takes
   * them (none when only an unfinished shard left files).
   */
  shards: Map<number, number[]>;
  /** For each shard count N, the shards whose done.json the merge refuses, with why (parseShardDone). */
  damagedShards: Map<number, Array<{ index: number; reason: string }>>;
  /** Shard counts whose merge committed and whose partials' removal was cut short (shards/<N>/merged.json). */
  mergedShards: Set<number>;
  /** For each shard count N, when the first of its finished shards finished (done.json's finished_at). */
  shardsFirstFinished: Map<number, string>;
}

export async function readStateStatus(
  storage: StateStorage,
  spool: StatusSpool,
  options: { staleMs: number; nowMs: number },
): Promise<StateStatus> {
  const manifest = await readManifest(storage);
  const lastRun = await readLastRun(storage);
  const lock = lockStatusOf(await storage.read(LOCK_NAME), options.staleMs, options.nowMs, (await storage.modifiedAt(LOCK_NAME))?.getTime());
  const shards = new Map<number, number[]>();
  const damagedShards = new Map<number, Array<{ index: number; reason: string }>>();
  const mergedShards = new Set<number>();
  const shardsFirstFinished = new Map<number, string>();
  for (const name of await storage.list()) {
    // A shard killed or failed after storing a record file left a partial without done.json: that backfill is under
    // way, not an empty state at a mistyped path, and the shard is one still to run.
    const partial = shardOfPartialName(name);
    if (partial !== undefined && !shards.has(partial.shards)) shards.set(partial.shards, []);
    const done = shardOfDoneName(name);
    // Gone since the listing (a merge removing the partials, a shard starting again): not finished.
    const bytes = done === undefined ? undefined : await storage.read(name);
    if (done !== undefined && bytes !== undefined) {
      const reading = parseShardDone(bytes, done.shards, done.index);
      if ('damaged' in reading) {
        damagedShards.set(done.shards, [...(damagedShards.get(done.shards) ?? []), { index: done.index, reason: reading.damaged }].sort((a, b) => a.index - b.index));
      } else {
        shards.set(done.shards, [...(shards.get(done.shards) ?? []), done.index].sort((a, b) => a - b));
        const finishedAt = isoInstant(reading.done.finished_at);
        const first = shardsFirstFinished.get(done.shards);
        if (finishedAt !== undefined && (first === undefined || finishedAt < first)) shardsFirstFinished.set(done.shards, finishedAt);
      }
    }
    const merged = shardsOfMergedName(name);
    if (merged !== undefined) mergedShards.add(merged);
  }
  return { location: storage.location, manifest, lastRun, lock, spool, shards, damagedShards, mergedShards, shardsFirstFinished };
}

/** A done.json's finished_at as ISO 8601 UTC, or undefined when it is no instant (the merge does not read it). */
function isoInstant(text: string): string | undefined {
  return Number.isFinite(Date.parse(text)) ? new Date(text).toISOString() : undefined;
}

/** Who holds a lock, since when, and whether it is stale. */
function heldBy({ owner, stale }: { owner: LockOwner; stale: boolean }): string {
  return `host ${owner.host}, pid ${owner.pid} since ${owner.acquiredAt}, last heartbeat ${owner.heartbeatAt}${stale ? ' (stale: the next run takes it over)' : ''}`;
}

const number = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : '?');
/**
 * A run that failed or was stopped after checkpoints: the generation of its last one (what it read up to there is
 * committed, the rest is not), else undefined. It records that generation; a record from before it did is judged
 * by the manifest's committer, which a later run killed after a commit of its own (and so recording nothing) replaces.
 */
function checkpointGenerationOf(last: LastRun, manifest: StateManifest | undefined): number | undefined {
  if (last.committed || manifest === undefined) return undefined;
  if (typeof last.checkpointGeneration === 'number') return last.checkpointGeneration;
  return manifest.committedRun.runId === last.run?.run_id ? manifest.generation : undefined;
}

/** A count and its noun, singular for exactly one ("1 object", "2 objects", "? objects"). */
const counted = (n: unknown, noun: string, nouns = `${noun}s`) => `${number(n)} ${n === 1 ? noun : nouns}`;

function size(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  if (bytes < 1_000_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${(bytes / 1_000_000_000).toFixed(2)} GB`;
}

interface TenantRow {
  tenant: string;
  days: number;
  first: string;
  last: string;
  idsFrom: string;
  events: number;
}

function tenantRows(manifest: StateManifest): TenantRow[] {
  const rows = new Map<string, TenantRow>();
  for (const day of manifest.days) {
    let row = rows.get(day.tenant);
    if (row === undefined) {
      row = { tenant: day.tenant, days: 0, first: day.day, last: day.day, idsFrom: '-', events: 0 };
      rows.set(day.tenant, row);
    }
    row.days++;
    row.events += day.events;
    if (day.day < row.first) row.first = day.day;
    if (day.day > row.last) row.last = day.day;
    if (day.logIds !== null && (row.idsFrom === '-' || day.day < row.idsFrom)) row.idsFrom = day.day;
  }
  return [...rows.values()].sort((a, b) => (a.tenant < b.tenant ? -1 : 1));
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => all.reduce((widest, r) => Math.max(widest, r[i]!.length), 0));
  return all.map((row) => row.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** A status line: its label in a column of its own. */
const labelled = (label: string, text: string): string => `${label.padEnd(10)} ${text}`;

/** The spool's lines of the status: what waits in it, what HEC refused, and the run using it, if one is. */
function spoolLines(spool: StatusSpool): string[] {
  const lines: string[] = [];
  const line = (label: string, text: string) => lines.push(labelled(label, text));
  line('spool', `${number(spool.events)} ${spool.events === 1 ? 'event' : 'events'} waiting in ${spool.dir} (${spool.files} ${spool.files === 1 ? 'file' : 'files'})`);
  if (spool.rejected > 0) line('', `${number(spool.rejected)} ${spool.rejected === 1 ? 'event' : 'events'} HEC refused, kept in rejected-*.ndjson there (never resent)`);
  const holder = spool.holder;
  if (holder === 'unreadable') line('', `its ${LOCK_NAME} is empty or unreadable: a run may be taking it; the next run takes it over once it is older than the lease`);
  else if (holder) line('', `held by a run using it: ${heldBy(holder)}`);
  return lines;
}

/**
 * The status of a spool alone (`status --spool DIR` without a state), for a person at a terminal; `'missing'` for a
 * folder that is not there, which, named on the command line, is more often a mistyped path than an empty spool.
 */
export function formatSpoolStatus(spool: StatusSpool | { dir: string; missing: true }): string {
  if ('missing' in spool) return `${labelled('spool', `${spool.dir}: no such folder: nothing waits there (check the path if a run should have spooled there)`)}\n`;
  return `${spoolLines(spool).join('\n')}\n`;
}

/**
 * The run that made the state's last commit, when it recorded no end after it (a run writes last-run.json as it
 * ends): one killed after a checkpoint, or still going. Without this line, `last run` would show an earlier run.
 */
function unendedCommitter(manifest: StateManifest, last: { run?: Record<string, unknown> } | undefined): string | undefined {
  const committer = manifest.committedRun.runId;
  if (last?.run !== undefined && (last.run.run_id === committer || Date.parse(String(last.run.finished_at)) >= Date.parse(manifest.committedAt))) return undefined;
  return `run ${committer}, which made that commit, recorded no end: it is still running, or was killed (what it committed is kept; the next run reads on from there)`;
}

/** The status as lines for a person at a terminal. */
export function formatStateStatus(status: StateStatus): string {
  const { manifest } = status;
  const lines: string[] = [];
  const line = (label: string, text: string) => lines.push(labelled(label, text));
  if (manifest === undefined && status.lastRun === undefined && status.lock === undefined && status.shards.size === 0 && status.mergedShards.size === 0) {
    // Nothing at all there: more often a mistyped path or prefix than a state no run has used yet.
    line('state', `${status.location}: empty (no state, no run recorded): check the path if a run should have used it`);
  } else if (manifest === undefined) {
    line('state', `${status.location}: nothing committed yet`);
  } else {
    line('state', `${status.location} (format ${manifest.version}, days in ${manifest.timezone})`);
    line('committed', `generation ${manifest.generation} at ${manifest.committedAt} by run ${manifest.committedRun.runId}`);
    line('objects', `${number(manifest.objects.count)} read (${size(manifest.objects.bytes)})`);
    for (const [tenant, days] of Object.entries(manifest.auth0Pending ?? {})) {
      line('auth0', `statistics of ${tenant}: ${counted(days.length, 'day')} (${days[0]}${days.length > 1 ? ` … ${days.at(-1)}` : ''}) still to be read by the next run`);
    }
  }
  const last = status.lastRun;
  if (last === 'unreadable') line('last run', `${LAST_RUN_NAME} is unreadable`);
  else if (last?.run !== undefined) {
    const run = last.run;
    const checkpointGeneration = checkpointGenerationOf(last, manifest);
    const committed = last.committed ? 'committed' : checkpointGeneration !== undefined ? `committed up to its last checkpoint (generation ${checkpointGeneration}), the rest not` : 'not committed';
    line('last run', `${String(run.run_id)} ${String(run.started_at)} → ${String(run.finished_at)}: ${String(run.status)}, ${committed}${run.error ? ` (${String(run.error)})` : ''}`);
    line(
      '',
      `${counted(run.objects, 'object')}${run.objects_gone ? ` (${number(run.objects_gone)} gone before their turn)` : ''}, ${counted(run.records, 'record')}, ` +
        `${counted(run.duplicates, 'duplicate')}, ${number(run.dedup_unavailable)} unchecked, ${counted(run.days, 'day')}, ${counted(run.summaries, 'summary', 'summaries')}`,
    );
  } else line('last run', 'none recorded');
  const unended = manifest !== undefined && last !== 'unreadable' ? unendedCommitter(manifest, last) : undefined;
  if (unended !== undefined) line('', unended);
  const lock = status.lock;
  if (lock === undefined) line('lock', 'free');
  else if (lock === 'unreadable') line('lock', `${LOCK_NAME} is empty or unreadable: a run may be taking the lock; the next run takes it over once it is older than the lease`);
  else line('lock', `held by ${heldBy(lock)}`);
  for (const count of [...status.mergedShards].sort((a, b) => a - b)) {
    line('shards', `${count} merged and committed; what is left of their partials goes with the next \`auth0-usage merge --shards ${count}\``);
  }
  for (const [count, finished] of [...status.shards].sort(([a], [b]) => a - b)) {
    if (status.mergedShards.has(count)) continue;
    const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !finished.includes(index));
    line(
      'shards',
      `${finished.length} of ${count} finished, not merged yet` +
        (missing.length === 0 ? `: auth0-usage merge --state ${status.location} --shards ${count} --hec-url URL (or --output FILE)` : `; to run: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`),
    );
    // Not finished as the merge reads them, though their done.json is there: they are among those to run.
    const damaged = status.damagedShards.get(count) ?? [];
    for (const { index, reason } of damaged.slice(0, 20)) {
      line('', `${shardDoneName(count, index)} is damaged (${reason}): the merge refuses shard ${index}; run it again`);
    }
    if (damaged.length > 20) line('', `… and ${damaged.length - 20} more damaged done.json files`);
    // A run that committed after a shard finished may have read its objects: the merge then refuses the shard if
    // the run read some of them (ERR_SHARDS_STALE), and leaves it out if it read all. Told here by the times alone;
    // the merge checks the objects.
    const firstFinished = status.shardsFirstFinished.get(count);
    if (manifest !== undefined && firstFinished !== undefined && Date.parse(manifest.committedAt) > Date.parse(firstFinished)) {
      line('', `a run committed at ${manifest.committedAt}, after shards of ${count} finished (the first at ${firstFinished}): the merge refuses a shard some of whose objects it read (run that shard again) and leaves out one it read all of`);
    }
  }
  lines.push(...spoolLines(status.spool));
  if (manifest !== undefined && manifest.days.length > 0) {
    lines.push('');
    const rows = tenantRows(manifest).map((r) => [r.tenant, String(r.days), r.first, r.last, number(r.events), r.idsFrom]);
    for (const row of table(['tenant', 'days', 'first', 'last', 'events', 'log_ids kept from'], rows, new Set([1, 4]))) lines.push(row);
  }
  return `${lines.join('\n')}\n`;
}
