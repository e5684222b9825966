import type { InputObject } from '../sources/inputObject';
import { addDays } from '../rollup/calendarDay';
import type { ObjectIndex } from './objectIndex';
import type { SummaryPassResult } from '../rollup/summaryPass';
import type { StagedDay } from './commitStaging';
import { isShardName } from './shardLayout';
import { dayFileNames, fileTag, isStateEntry, MANIFEST_NAME, objectListName, STAGING_PREFIX } from './stateLayout';
import { referencedNames } from './stateLoad';
import { serializeManifest, STATE_FORMAT, STATE_VERSION, type DayRecord, type StateManifest } from './stateManifest';
import { FILES_AT_ONCE, type PublishedFile, type StateStorage } from './stateStorage';
import { forEachConcurrent } from '../support/forEachConcurrent';

export interface CommitInput {
  runId: string;
  startedAt: string;
  /** The changed days the summary pass merged, as staged files. */
  staged: readonly StagedDay[];
  /** Fingerprints of the window summaries the pass emitted. */
  emitted: SummaryPassResult['emitted'];
  /** Objects read to the end in this run, with no record outside --from/--to. */
  objectsRead: ReadonlyArray<Pick<InputObject, 'name' | 'size' | 'version'>>;
  /**
   * A checkpoint of a run that goes on: every log_id is kept, since the run's later records must still be checked
   * against them whatever --dedup-days says; the run's last commit prunes them.
   */
  checkpoint?: boolean;
  /**
   * The API days whose Auth0 statistics are still to be read, by tenant (StateManifest.auth0Pending), when the run
   * read statistics; undefined keeps the previous state's.
   */
  auth0Pending?: Readonly<Record<string, readonly string[]>>;
}

export interface CommitContext {
  storage: StateStorage;
  previous: StateManifest | undefined;
  objects: ObjectIndex;
  timezone: string;
  statsTimezone: string;
  rollupConfig: string;
  /** The writer's token, part of every new name. */
  token: string;
  dedupDays: number;
  /** YYYY-MM-DD in the state's zone. */
  today: string;
  now: Date;
  /** This run's scratch folder, kept by the sweep. */
  scratchName?: string;
}

/** The first day whose log_ids are kept: --dedup-days days ending at the newest day (or today, if earlier). */
export function dedupHorizon(days: Iterable<{ day: string }>, today: string, dedupDays: number): string | undefined {
  let newest: string | undefined;
  for (const { day } of days) if (newest === undefined || day > newest) newest = day;
  if (newest === undefined) return undefined;
  return addDays(newest < today ? newest : today, -(dedupDays - 1));
}

const keyOf = (tenant: string, day: string) => `${tenant}\u0000${day}`;

/**
 * Commits a run: publishes its merged day files and object list under new names, then replaces the manifest
 * (the single step that switches the state over), then sweeps files no manifest names any more. A crash before
 * the manifest leaves the previous state whole; after it, the new one.
 */
export async function commitRun(context: CommitContext, input: CommitInput): Promise<StateManifest> {
  const { storage, previous, objects } = context;
  const generation = (previous?.generation ?? 0) + 1;
  const tag = fileTag(generation, context.token);
  const days = new Map<string, DayRecord>();
  for (const record of previous?.days ?? []) days.set(keyOf(record.tenant, record.day), record);

  const horizon = dedupHorizon([...days.values(), ...input.staged.map(({ slot }) => slot)], context.today, context.dedupDays);
  const keepsLogIds = (day: string) => input.checkpoint === true || horizon === undefined || day >= horizon;
  const published: PublishedFile[] = [];
  for (const staged of input.staged) {
    const { slot } = staged;
    const names = dayFileNames(slot.tenant, slot.day, tag);
    published.push({ localFile: staged.aggregateFile, name: names.aggregate });
    // A backfill's early days are past the horizon already: their log_ids are not worth publishing.
    const kept = keepsLogIds(slot.day);
    if (kept) published.push({ localFile: staged.logIdsFile, name: names.logIds });
    days.set(keyOf(slot.tenant, slot.day), {
      tenant: slot.tenant,
      day: slot.day,
      startMs: slot.range.startMs,
      endMs: slot.range.endMs,
      aggregate: names.aggregate,
      logIds: kept ? names.logIds : null,
      logIdCount: kept ? staged.logIdCount : 0,
      events: staged.events,
      emitted: slot.stored?.emitted ?? {},
    });
  }
  await storage.publish(published);
  for (const [slot, fingerprints] of input.emitted) {
    const record = days.get(keyOf(slot.tenant, slot.day));
    if (record !== undefined) record.emitted = { ...record.emitted, ...fingerprints };
  }
  for (const [key, record] of days) {
    if (record.logIds !== null && !keepsLogIds(record.day)) days.set(key, { ...record, logIds: null, logIdCount: 0 });
  }

  let objectsFile = previous?.objects.file ?? null;
  if (input.objectsRead.length > 0) {
    for (const object of input.objectsRead) objects.record(object);
    objectsFile = objectListName(tag);
    await storage.write(objectsFile, objects.encode());
  }

  const stamp = context.now.toISOString();
  const manifest: StateManifest = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    timezone: context.timezone,
    statsTimezone: context.statsTimezone,
    ...pendingOf(input.auth0Pending ?? previous?.auth0Pending),
    rollupConfig: context.rollupConfig,
    generation,
    createdAt: previous?.createdAt ?? stamp,
    committedAt: stamp,
    committedRun: { runId: input.runId, startedAt: input.startedAt },
    objects: { file: objectsFile, count: objects.count, bytes: objects.bytes },
    days: [...days.values()].sort((a, b) => (a.tenant === b.tenant ? (a.day < b.day ? -1 : 1) : a.tenant < b.tenant ? -1 : 1)),
  };
  await storage.write(MANIFEST_NAME, serializeManifest(manifest));
  return manifest;
}

/** The manifest's auth0Pending: the tenants with days waiting, each sorted; nothing when none wait. */
function pendingOf(pending: Readonly<Record<string, readonly string[]>> | undefined): Pick<StateManifest, 'auth0Pending'> {
  const waiting = Object.entries(pending ?? {}).filter(([, days]) => days.length > 0);
  if (waiting.length === 0) return {};
  return { auth0Pending: Object.fromEntries(waiting.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([tenant, days]) => [tenant, [...new Set(days)].sort()])) };
}

/**
 * Removes what the current manifest no longer names: superseded day files and object lists, pruned log_ids,
 * and leftovers of crashed runs. Best effort: whatever stays is swept by a later commit.
 */
export async function sweepState(storage: StateStorage, manifest: StateManifest, keepPrefix?: string): Promise<number> {
  const keep = referencedNames(manifest);
  const doomed = new Set<string>();
  for (const name of await storage.list()) {
    // Shards' partials belong to the merge, which removes them once it committed them.
    if (keep.has(name) || !isStateEntry(name) || isShardName(name)) continue;
    if (keepPrefix !== undefined && name.startsWith(keepPrefix)) continue;
    // A crashed run's scratch folder goes as a whole.
    doomed.add(name.startsWith(STAGING_PREFIX) ? name.split('/')[0]! : name);
  }
  await forEachConcurrent(doomed, FILES_AT_ONCE, (name) => storage.remove(name));
  return doomed.size;
}
