/**
 * Names of the shards' partial results inside a state: `shards/<N>/<I>/` holds shard I of N's record files, its
 * object list and, written last, its `done.json`. A normal run's commit never sweeps them: only the merge removes them.
 */

export const SHARDS_FOLDER = 'shards';

export function shardFolder(shards: number, index: number): string {
  return `${SHARDS_FOLDER}/${shards}/${index}`;
}

export function shardRecordFileName(shards: number, index: number, file: number): string {
  return `${shardFolder(shards, index)}/records-${String(file).padStart(5, '0')}.ndjson.gz`;
}

export function shardObjectListName(shards: number, index: number): string {
  return `${shardFolder(shards, index)}/objects.json.gz`;
}

/** Written by a merge once it committed, removed last with the partials: a removal cut short leaves it. */
export function shardMergedName(shards: number): string {
  return `${SHARDS_FOLDER}/${shards}/merged.json`;
}

/** The shard count whose merge marker `name` is, or undefined for any other name. */
export function shardsOfMergedName(name: string): number | undefined {
  const match = /^shards\/(\d+)\/merged\.json$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function shardDoneName(shards: number, index: number): string {
  return `${shardFolder(shards, index)}/done.json`;
}

/** Whether a name in a state's folder or prefix is a shard's (temporary files of its atomic writes included). */
export function isShardName(name: string): boolean {
  return name.startsWith(`${SHARDS_FOLDER}/`);
}

/**
 * The shard whose folder a name lies in (a record file, the object list, a temporary file of its writes, done.json),
 * or undefined for any other name.
 */
export function shardOfPartialName(name: string): { shards: number; index: number } | undefined {
  const match = /^shards\/(\d+)\/(\d+)\//.exec(name);
  return match ? { shards: Number(match[1]), index: Number(match[2]) } : undefined;
}

/** The shard a `done.json` name belongs to, or undefined for any other name. */
export function shardOfDoneName(name: string): { shards: number; index: number } | undefined {
  const match = /^shards\/(\d+)\/(\d+)\/done\.json$/.exec(name);
  return match ? { shards: Number(match[1]), index: Number(match[2]) } : undefined;
}
