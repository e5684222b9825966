import type { LedgerEntry, Source } from '../sources/inputObject';
import type { RunState } from '../state/runState';
import { readDaysKey } from '../state/objectIndex';
import { shardFolder } from '../state/shardLayout';
import { readFinishedShards, removeShardMergedMarker, removeShardPartials, shardFingerprint, ShardMismatchError, ShardsStaleError, type ShardSpec } from '../state/shardPartial';
import { ShardRecordSource } from '../state/shardRecordSource';
import type { RunOptions } from './runJob';

/** What turns a run into the merge of a backfill's shards. */
export interface MergePlan {
  /** One input per shard: its partial under the state. */
  inputs: string[];
  openSource(input: string): Source;
  merged: NonNullable<RunOptions['merged']>;
  /** Shards every object of which the state holds committed already: their records were counted, so they are not replayed. */
  spent: number[];
  /** Removes the shards' partials once the merge is committed: a later merge must not replay them. */
  afterCommit(): Promise<void>;
  /** Removes the marker saying the merge was committed, once the state's record of the run names the merge. */
  afterRecord(): Promise<void>;
}

/**
 * Checks, under the state's lock, that every shard 0..N-1 finished with the settings `spec` states, and plans
 * the run that replays their records: the ordinary job reads their record files as its input objects, so
 * de-duplication, days, windows, summaries, delivery and the commit are a single run's.
 */
export async function planMerge(state: RunState, shards: number, spec: ShardSpec): Promise<MergePlan> {
  const finished = await readFinishedShards(state.storage, shards);
  const expected = shardFingerprint(shards, spec);
  const differing = finished.filter(({ done }) => done.fingerprint !== expected).map(({ done }) => done.shard);
  if (differing.length > 0) {
    throw new ShardMismatchError(`cannot merge ${state.location}: the shards ran with other settings than this merge (shards ${differing.join(', ')}): give the merge the shards' --config`);
  }
  const days = readDaysKey(spec.from, spec.to);
  const committed = (entry: LedgerEntry) => state.objects.isUnchanged(entry, days);
  // Each shard's objects, and how many of them the state holds committed now.
  const tally = new Map(
    finished.map((shard) => {
      const entries = [...shard.objects.values()].flat();
      return [shard, { entries, committed: entries.filter(committed).length }];
    }),
  );
  // A shard all of whose objects are committed adds nothing: whatever committed them counted their records. It is so
  // when a merge stopped after its commit and before removing the partials, and its rerun must not refuse.
  const spent = finished.filter((shard) => {
    const { entries, committed: n } = tally.get(shard)!;
    return entries.length > 0 && n === entries.length;
  });
  const replayed = finished.filter((shard) => !spent.includes(shard));
  // A run that committed some, not all, of a shard's objects since it listed them: their records would count twice.
  const stale = replayed.filter((shard) => tally.get(shard)!.committed > 0);
  if (stale.length > 0) {
    // The first by name, so that the message does not depend on the order the shard finished its objects in.
    const example = tally
      .get(stale[0]!)!
      .entries.filter(committed)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0]!;
    throw new ShardsStaleError(
      `cannot merge ${state.location}: another run committed objects that shard${stale.length === 1 ? '' : 's'} ${stale.map((shard) => shard.done.shard).join(', ')} read (e.g. ${example.name}) after ${stale.length === 1 ? 'it' : 'they'} ran: run ${stale.length === 1 ? 'it' : 'them'} again, then the merge`,
    );
  }
  const location = state.storage.location.replace(/\/+$/, '');
  // A shard that read nothing (no object hashed to it, or all were read before) has no record file to list.
  const byInput = new Map(replayed.filter((shard) => shard.done.files.length > 0).map((shard) => [`${location}/${shardFolder(shards, shard.done.shard)}`, shard]));
  const read = { objects: 0, bytes: 0, malformed: 0, rejected: 0, quarantineTruncated: 0, gone: 0, countedBefore: 0 };
  let s3Retries = 0;
  for (const { done } of replayed) {
    read.objects += done.counts.objects;
    read.bytes += done.counts.bytes;
    read.malformed += done.counts.malformed;
    read.rejected += done.counts.rejected;
    read.quarantineTruncated += done.counts.quarantine_truncated;
    read.gone += done.counts.objects_gone ?? 0;
    read.countedBefore += done.counts.counted_before ?? 0;
    s3Retries += done.counts.s3_retries ?? 0;
  }
  return {
    inputs: [...byInput.keys()],
    openSource: (input) => new ShardRecordSource(state.storage, input, byInput.get(input)!),
    merged: { shards, inputs: spec.inputs, read, s3Retries },
    spent: spent.map((shard) => shard.done.shard),
    afterCommit: () => removeShardPartials(state.storage, shards, new Date(), { keepMarker: true }),
    afterRecord: () => removeShardMergedMarker(state.storage, shards),
  };
}
