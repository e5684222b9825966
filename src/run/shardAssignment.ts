import { relativeObjectName } from '../sources/relativeObjectName';

/** One shard of a backfill split N ways: index I in 0..N-1. */
export interface ShardOf {
  index: number;
  count: number;
}

/**
 * The shard that reads an object: FNV-1a (32 bits) of its UTF-8 relative name, mod N. It depends on the name
 * alone, so it is the same over any listing order, rerun or machine, and spreads a prefix's keys evenly.
 */
export function shardOfObject(name: string, input: string, count: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(relativeObjectName(name, input), 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}
