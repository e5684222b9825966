import { createHash } from 'node:crypto';
import { relativeObjectName } from '../sources/relativeObjectName';

/** One shard of a backfill split N ways: index I in 0..N-1. */
export interface ShardOf {
  index: number;
  count: number;
}

/**
 * The shard that reads an object: the first 6 bytes of the SHA-256 of its UTF-8 relative name, as a number, mod
 * N. It depends on the name alone, so it is the same over any listing order, rerun or machine. (FNV-1a was tried
 * first: the low bits of its hash depend only on the low bits of each byte, and names that differ in a digit
 * piled onto 3 of 4 shards.)
 */
export function shardOfObject(name: string, input: string, count: number): number {
  const digest = createHash('sha256').update(relativeObjectName(name, input), 'utf8').digest();
  return digest.readUIntBE(0, 6) % count;
}
