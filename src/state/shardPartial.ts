import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { LedgerEntry } from '../sources/inputObject';
import { ledgerEntryOf } from './objectIndex';
import { Auth0UsageError } from '../support/errors';
import { fingerprintOf } from '../support/fingerprint';
import { SHARDS_FOLDER, shardDoneName, shardFolder, shardMergedName, shardObjectListName, shardOfDoneName, shardOfPartialName, shardRecordFileName } from './shardLayout';
import { readLastRun } from './stateLoad';
import type { StateStorage } from './stateStorage';

const SHARD_FORMAT_VERSION = 1;

const count = z.number().int().nonnegative();

/** What every shard of one backfill must agree on: the same N, inputs, day range, zone and classification. */
const shardSpecSchema = z
  .object({
    inputs: z.array(z.string()),
    include: z.array(z.string()),
    exclude: z.array(z.string()),
    timezone: z.string(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    /** rollupConfigFingerprint() of the shard's config. */
    rollup_config: z.string(),
    /**
     * --max-item-bytes and --max-item-keys: they decide which items count. Compared between shards only (the merge
     * reads no archive); absent in partials of earlier versions, which ran with the defaults or said nothing.
     */
    item_limits: z.object({ max_item_bytes: count, max_item_keys: count }).strict().optional(),
  })
  .strict();

export type ShardSpec = z.infer<typeof shardSpecSchema>;

const shardCountsSchema = z
  // objects_gone: listed objects passed over as deleted; counted_before: records of days an earlier --from/--to run
  // counted, not written; s3_retries: the AWS SDK's retries of the shard's S3 requests, summed into the merge's run
  // event (each absent when none, and in partials of earlier versions).
  .object({ objects: count, bytes: count, records: count, malformed: count, rejected: count, quarantine_truncated: count, skipped: count, objects_gone: count.optional(), counted_before: count.optional(), s3_retries: count.optional() })
  .strict();

/** A shard's read figures, as the run event states them. */
export type ShardCounts = z.infer<typeof shardCountsSchema>;

const shardDoneSchema = z
  .object({
    version: z.literal(SHARD_FORMAT_VERSION),
    shards: z.number().int().positive(),
    shard: count,
    fingerprint: z.string(),
    spec: shardSpecSchema,
    /** Its record files, in order. */
    files: z.array(z.string()),
    /** Each record file's SHA-256 (hex), checked as the merge reads it (absent in partials of earlier versions). */
    digests: z.record(z.string(), z.string()).optional(),
    /** Each record file's size in bytes: the merge's progress total and ETA (absent in partials of earlier versions). */
    sizes: z.record(z.string(), count).optional(),
    counts: shardCountsSchema,
    finished_at: z.string(),
  })
  .strict();

/** A shard's `done.json`: written last, so it exists only for a shard that finished. */
export type ShardDone = z.infer<typeof shardDoneSchema>;

const objectListSchema = z
  .object({
    version: z.literal(SHARD_FORMAT_VERSION),
    /**
     * Per record file: the archive objects whose records it holds and that the ledger takes, [name, size, version],
     * and the days it was read for (LedgerEntry.readFor) as a fourth item when it held records outside them.
     */
    files: z.record(z.string(), z.array(z.union([z.tuple([z.string(), count.nullable(), z.string().nullable()]), z.tuple([z.string(), count.nullable(), z.string().nullable(), z.string()])]))),
  })
  .strict();

/** The fingerprint of a backfill's shards: shards with different ones cannot be merged. */
export function shardFingerprint(shards: number, spec: ShardSpec): string {
  return fingerprintOf(JSON.stringify([shards, spec.inputs, spec.include, spec.exclude, spec.timezone, spec.from, spec.to, spec.rollup_config]));
}

/** Shards that cannot be merged yet: missing (never run, killed, or already merged) or unreadable. Rerun them. */
export class ShardsIncompleteError extends Auth0UsageError {
  static override readonly code: string = 'ERR_SHARDS_INCOMPLETE';
}

/**
 * Objects the shards read were committed by another run after the shards listed them: replaying the shards would
 * count those records again on days whose log_ids are no longer kept. Run the shards again (they skip them now).
 */
export class ShardsStaleError extends Auth0UsageError {
  static override readonly code: string = 'ERR_SHARDS_STALE';
}

/** Shards run with other inputs, days, zone or classification than each other or than the merge: a usage error. */
export class ShardMismatchError extends Auth0UsageError {
  static override readonly code: string = 'ERR_SHARD_MISMATCH';
  static override readonly exitCode: 1 | 2 = 2;
}

/**
 * Writes one shard's partial result with the storage's atomic writes: record files as they fill, then the object
 * list, then `done.json`. A shard killed on the way leaves no `done.json`, and its rerun starts by removing what
 * an earlier attempt left.
 */
export class ShardPartialWriter {
  private readonly objects: Record<string, Array<[string, number | null, string | null] | [string, number | null, string | null, string]>> = {};
  private readonly files: string[] = [];
  private readonly digests: Record<string, string> = {};
  private readonly sizes: Record<string, number> = {};

  private constructor(
    private readonly storage: StateStorage,
    readonly shards: number,
    readonly index: number,
  ) {}

  static async start(storage: StateStorage, shards: number, index: number): Promise<ShardPartialWriter> {
    // done.json first: from here on this shard counts as unfinished, whatever else an earlier attempt left. A new
    // backfill of N shards also ends what an earlier merge of N left of its removal (see removeShardPartials).
    await storage.remove(shardDoneName(shards, index));
    await storage.remove(shardMergedName(shards));
    await removeUnder(storage, shardFolder(shards, index));
    return new ShardPartialWriter(storage, shards, index);
  }

  /** Stores the next record file (gzip NDJSON) with the ledger entries of the objects whose records it holds. */
  async writeRecordFile(data: Buffer, objects: readonly LedgerEntry[]): Promise<void> {
    const name = shardRecordFileName(this.shards, this.index, this.files.length);
    this.files.push(name);
    this.objects[name] = objects.map((object) => {
      const entry: [string, number | null, string | null] = [object.name, object.size ?? null, object.version ?? null];
      return object.readFor === undefined ? entry : [...entry, object.readFor];
    });
    this.digests[name] = recordFileDigest(data);
    this.sizes[name] = data.length;
    await this.storage.write(name, data);
  }

  /** The object list, then `done.json`: the shard is finished. */
  async finish(spec: ShardSpec, counts: ShardCounts, finishedAt: Date): Promise<ShardDone> {
    await this.storage.write(
      shardObjectListName(this.shards, this.index),
      gzipSync(JSON.stringify({ version: SHARD_FORMAT_VERSION, files: this.objects })),
    );
    const done: ShardDone = {
      version: SHARD_FORMAT_VERSION,
      shards: this.shards,
      shard: this.index,
      fingerprint: shardFingerprint(this.shards, spec),
      spec,
      files: [...this.files],
      digests: { ...this.digests },
      sizes: { ...this.sizes },
      counts,
      finished_at: finishedAt.toISOString(),
    };
    await this.storage.write(shardDoneName(this.shards, this.index), Buffer.from(`${JSON.stringify(done, null, 1)}\n`));
    return done;
  }
}

/** A record file's SHA-256, as done.json states it: a file cut short or changed since its shard wrote it differs. */
export function recordFileDigest(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A shard's `done.json` as the merge takes it, or why the merge refuses it (one line). */
export type ShardDoneReading = { done: ShardDone } | { damaged: string };

/**
 * The one reading of shard `index` of `shards`'s `done.json` (`bytes`, read from shardDoneName(shards, index)): the
 * merge merges a shard only if this takes it, and status calls a shard finished only if this takes it.
 */
export function parseShardDone(bytes: Buffer, shards: number, index: number): ShardDoneReading {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { damaged: 'not JSON' };
  }
  const parsed = shardDoneSchema.safeParse(value);
  if (!parsed.success) return { damaged: firstIssue(parsed.error) };
  const done = parsed.data;
  if (done.shards !== shards || done.shard !== index) return { damaged: `it says shard ${done.shard}/${done.shards}` };
  return { done };
}

/** A schema's first objection, on one line (a ZodError's message is a JSON list of them over many lines). */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || 'top level'}: ${issue.message}`;
}

/** One finished shard, as the merge reads it. */
export interface FinishedShard {
  done: ShardDone;
  /** Per record file, the ledger entries of the objects it stands for. */
  objects: Map<string, LedgerEntry[]>;
}

/**
 * Every shard 0..N-1 of N, finished and run alike; otherwise refuses, naming the shards that are missing or
 * unreadable (ShardsIncompleteError) or that differ from shard 0 (ShardMismatchError).
 */
export async function readFinishedShards(storage: StateStorage, shards: number): Promise<FinishedShard[]> {
  const finished: FinishedShard[] = [];
  const missing: number[] = [];
  const unreadable: string[] = [];
  for (let index = 0; index < shards; index++) {
    const bytes = await storage.read(shardDoneName(shards, index));
    if (bytes === undefined) {
      missing.push(index);
      continue;
    }
    const reading = parseShardDone(bytes, shards, index);
    if ('damaged' in reading) {
      unreadable.push(`${index} (${reading.damaged})`);
      continue;
    }
    try {
      finished.push({ done: reading.done, objects: await readObjectList(storage, shards, index) });
    } catch (error) {
      unreadable.push(`${index} (${(error as Error).message.split('\n')[0]})`);
    }
  }
  if (missing.length + unreadable.length > 0) {
    const parts = [
      ...(missing.length > 0 ? [`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${shards} did not finish (no ${shardDoneName(shards, missing[0]!)})`] : []),
      ...(unreadable.length > 0 ? [`unreadable: shard ${unreadable.join(', ')}`] : []),
    ];
    const again = `run ${missing.length + unreadable.length === 1 ? 'it' : 'them'} again, then the merge`;
    if (finished.length > 0 || unreadable.length > 0) throw new ShardsIncompleteError(`cannot merge ${storage.location}: ${parts.join('; ')}: ${again}`);
    const { started, otherCounts } = await shardsHere(storage, shards);
    // Not one of them left a file: they never ran here (a mistyped --shards or --state), nothing to run "again".
    if (started === 0) {
      const all = shards === 1 ? 'shard 0' : `shards 0 to ${shards - 1}`;
      throw new ShardsIncompleteError(`cannot merge ${storage.location}: no shard of a set of ${shards} ran here (nothing under ${SHARDS_FOLDER}/${shards}/): run ${all} with this --state first, then the merge${otherCounts}`);
    }
    throw new ShardsIncompleteError(`cannot merge ${storage.location}: ${parts.join('; ')}: ${again}${otherCounts}`);
  }
  refuseOddShards(storage, finished, (done) => done.fingerprint, (odd, usual) => settingsThatDiffer(odd.spec, usual.spec));
  // Partials of earlier versions do not say which limits they ran with: compared among those that do.
  const statingLimits = finished.filter(({ done }) => done.spec.item_limits !== undefined);
  refuseOddShards(storage, statingLimits, (done) => JSON.stringify(done.spec.item_limits), () => ['--max-item-bytes/--max-item-keys']);
  return finished;
}

/**
 * When no shard of the count asked for finished: how many of them left any file (a shard killed on the way), and
 * the counts whose shards did finish, as a hint that --shards is mistyped (' (shards of a set of 2 finished here:
 * is --shards 2 the count they ran with?)'), else '').
 */
async function shardsHere(storage: StateStorage, shards: number): Promise<{ started: number; otherCounts: string }> {
  const counts = new Set<number>();
  const started = new Set<number>();
  for (const name of await storage.list()) {
    const done = shardOfDoneName(name);
    if (done !== undefined && done.shards !== shards) counts.add(done.shards);
    const partial = shardOfPartialName(name);
    if (partial !== undefined && partial.shards === shards) started.add(partial.index);
  }
  const sorted = [...counts].sort((a, b) => a - b);
  const otherCounts = counts.size === 0 ? '' : ` (shards of a set of ${sorted.join(' and of ')} finished here: is --shards ${sorted.join(' or ')} the count they ran with?)`;
  return { started: started.size, otherCounts };
}

/**
 * Refuses shards whose `key` differs from most shards' (ties: from shard 0's group), naming them and what differs:
 * the odd shards are the ones to run again, whichever of them is shard 0.
 */
function refuseOddShards(storage: StateStorage, finished: FinishedShard[], key: (done: ShardDone) => string, differ: (odd: ShardDone, usual: ShardDone) => string[]): void {
  const groups = new Map<string, ShardDone[]>();
  for (const { done } of finished) groups.set(key(done), [...(groups.get(key(done)) ?? []), done]);
  if (groups.size < 2) return;
  const sizes = [...groups.values()].map((group) => group.length).sort((a, b) => b - a);
  const usual = [...groups.values()].find((group) => group.length === sizes[0])!;
  const odd = finished.map(({ done }) => done).filter((done) => !usual.includes(done));
  const list = (shards: ShardDone[]) => shards.map((done) => done.shard).join(', ');
  // Each odd shard with what it differs in: two odd shards may differ in different settings.
  const named = odd.map((done) => `${done.shard} (${differ(done, usual[0]!).join(', ')})`).join(', ');
  if (sizes[0] === sizes[1]) {
    // No majority: which shards are the odd ones is not known, only that they differ.
    throw new ShardMismatchError(`cannot merge ${storage.location}: the shards did not all run with the same settings: shard${odd.length === 1 ? ' ' + named + ' differs' : 's ' + named + ' differ'} from shard${usual.length === 1 ? '' : 's'} ${list(usual)}: run them all with the same ones`);
  }
  throw new ShardMismatchError(
    `cannot merge ${storage.location}: shard${odd.length === 1 ? '' : 's'} ${named} ran with other settings than shard${usual.length === 1 ? '' : 's'} ${list(usual)}: run ${odd.length === 1 ? 'it' : 'them'} again with the same ones as the others`,
  );
}

/** The settings, as flags, in which two shards' specs differ. */
function settingsThatDiffer(a: ShardSpec, b: ShardSpec): string[] {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const named: Array<[string, boolean]> = [
    ['inputs', same(a.inputs, b.inputs)],
    ['--include/--exclude', same([a.include, a.exclude], [b.include, b.exclude])],
    ['--from/--to', same([a.from, a.to], [b.from, b.to])],
    ['--timezone', a.timezone === b.timezone],
    ['config (tenant, categories, nonBillableAudiences)', a.rollup_config === b.rollup_config],
  ];
  const differing = named.filter(([, isSame]) => !isSame).map(([name]) => name);
  // Same settings and still another fingerprint: another shard count, or a version that fingerprints otherwise.
  return differing.length > 0 ? differing : ['settings'];
}

async function readObjectList(storage: StateStorage, shards: number, index: number): Promise<Map<string, LedgerEntry[]>> {
  const name = shardObjectListName(shards, index);
  const bytes = await storage.read(name);
  if (bytes === undefined) throw new Error(`${name} is missing`);
  const parsed = objectListSchema.safeParse(JSON.parse(gunzipSync(bytes).toString('utf8')));
  if (!parsed.success) throw new Error(`${name} ${firstIssue(parsed.error)}`);
  const list = parsed.data;
  return new Map(
    Object.entries(list.files).map(([file, entries]) => [
      file,
      entries.map(([name, size, version, readFor]) => ledgerEntryOf({ name, size: size ?? undefined, version: version ?? undefined }, readFor)),
    ]),
  );
}

/**
 * Removes every shard's partial of an N-shard backfill, once the merge committed them. A marker saying so goes
 * first and last: a removal cut short (the merge killed) leaves it, and the merge run again finishes the removal
 * (mergedAlready) instead of refusing shards whose done.json went first. done.json files go before the rest, so no
 * merge ever reads half a shard.
 *
 * `keepMarker`: the merge that committed keeps the marker until the state's record of the run (last-run.json) names
 * the merge, and then removes it (removeShardMergedMarker): until then the marker is the only sign that the merge
 * was committed, and a merge killed in between and run again would find no shard and refuse.
 */
export async function removeShardPartials(storage: StateStorage, shards: number, mergedAt: Date, options: { keepMarker?: boolean } = {}): Promise<void> {
  const marker = shardMergedName(shards);
  await storage.write(marker, Buffer.from(`${JSON.stringify({ merged_at: mergedAt.toISOString() })}\n`));
  for (let index = 0; index < shards; index++) await storage.remove(shardDoneName(shards, index));
  for (const name of await storage.list()) if (name.startsWith(`${SHARDS_FOLDER}/${shards}/`) && name !== marker) await storage.remove(name);
  if (!options.keepMarker) await removeShardMergedMarker(storage, shards);
}

/** Removes the marker of a merge whose partials are gone, and the shards' folder it leaves (local states). */
export async function removeShardMergedMarker(storage: StateStorage, shards: number): Promise<void> {
  await storage.remove(shardMergedName(shards));
  // A local state's emptied folders (on S3 there is no folder to remove).
  await storage.remove(`${SHARDS_FOLDER}/${shards}`);
}

/**
 * When the merge of these N shards was committed, if it was and no new shard of N ran since: its removal of the
 * partials was cut short (the marker is left), or it finished and the state's last run is that merge. Undefined
 * otherwise.
 */
export async function mergedAlready(storage: StateStorage, shards: number): Promise<{ at: string; leftovers: boolean } | undefined> {
  const marker = await storage.read(shardMergedName(shards));
  if (marker !== undefined) {
    let at = 'an unknown time';
    try {
      at = String((JSON.parse(marker.toString('utf8')) as { merged_at?: unknown }).merged_at ?? at);
    } catch {
      // A marker cut short still says the merge committed.
    }
    return { at, leftovers: true };
  }
  const left = (await storage.list()).some((name) => name.startsWith(`${SHARDS_FOLDER}/${shards}/`));
  const lastRun = left ? undefined : await readLastRun(storage);
  if (lastRun === undefined || lastRun === 'unreadable' || lastRun.committed !== true || lastRun.run?.merged_shards !== shards) return undefined;
  return { at: String(lastRun.run.finished_at ?? 'an unknown time'), leftovers: false };
}

async function removeUnder(storage: StateStorage, folder: string): Promise<void> {
  for (const name of await storage.list()) if (name.startsWith(`${folder}/`)) await storage.remove(name);
  // A local state's emptied folders (on S3 there is no folder to remove).
  await storage.remove(folder);
}
