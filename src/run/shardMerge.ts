import type { Source } from '../sources/inputObject';
import type { RunState } from '../state/runState';
import { shardFolder } from '../state/shardLayout';
import { readFinishedShards, removeShardPartials, shardFingerprint, ShardMismatchError, ShardsStaleError, type ShardSpec } from '../state/shardPartial';
import { ShardRecordSource } from '../state/shardRecordSource';
import type { RunOptions } from './runJob';

/** What turns a run into the merge of a backfill's shards. */
export interface MergePlan {
  /** One input per shard: its partial under the state. */
  inputs: string[];
  openSource(input: string): Source;
  merged: NonNullable<RunOptions['merged']>;
  /** Removes the shards' partials once the merge is committed: a later merge must not replay them. */
  afterCommit(): Promise<void>;
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
  // A run that committed some of the shards' objects since they were listed: their records would count twice.
  const stale = finished.filter((shard) => [...shard.objects.values()].some((entries) => entries.some((entry) => state.objects.isUnchanged(entry))));
  if (stale.length > 0) {
    // The first by name, so that the message does not depend on the order the shard finished its objects in.
    const example = [...stale[0]!.objects.values()]
      .flat()
      .filter((entry) => state.objects.isUnchanged(entry))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0]!;
    throw new ShardsStaleError(
      `cannot merge ${state.location}: another run committed objects that shard${stale.length === 1 ? '' : 's'} ${stale.map((shard) => shard.done.shard).join(', ')} read (e.g. ${example.name}) after ${stale.length === 1 ? 'it' : 'they'} ran: run ${stale.length === 1 ? 'it' : 'them'} again, then the merge`,
    );
  }
  const location = state.storage.location.replace(/\/+$/, '');
  // A shard that read nothing (no object hashed to it, or all were read before) has no record file to list.
  const byInput = new Map(finished.filter((shard) => shard.done.files.length > 0).map((shard) => [`${location}/${shardFolder(shards, shard.done.shard)}`, shard]));
  const read = { objects: 0, bytes: 0, malformed: 0, rejected: 0, quarantineTruncated: 0 };
  for (const { done } of finished) {
    read.objects += done.counts.objects;
    read.bytes += done.counts.bytes;
    read.malformed += done.counts.malformed;
    read.rejected += done.counts.rejected;
    read.quarantineTruncated += done.counts.quarantine_truncated;
  }
  return {
    inputs: [...byInput.keys()],
    openSource: (input) => new ShardRecordSource(state.storage, input, byInput.get(input)!),
    merged: { shards, inputs: spec.inputs, read },
    afterCommit: () => removeShardPartials(state.storage, shards),
  };
}
