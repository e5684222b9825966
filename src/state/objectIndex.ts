import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { isS3Url } from '../aws/s3Url';
import type { InputObject } from '../sources/inputObject';
import { Auth0UsageError } from '../support/errors';

const OBJECT_LIST_VERSION = 1;

const objectListSchema = z
  .object({
    version: z.literal(OBJECT_LIST_VERSION),
    /** [name, size or null, version (ETag or mtime-size) or null], sorted by name. */
    objects: z.array(z.tuple([z.string(), z.number().int().nonnegative().nullable(), z.string().nullable()])),
  })
  .strict();

/** Thrown for bytes that are not an object list of this version. */
export class ObjectListError extends Auth0UsageError {
  static override readonly code: string = 'ERR_OBJECT_LIST';
}

/** The name an object is remembered by: its s3:// URL, or its absolute path (so ./logs and /data/logs agree). */
export function objectKey(name: string): string {
  return isS3Url(name) ? name : path.resolve(name);
}

interface Entry {
  size: number | null;
  version: string | null;
}

/** The input objects a state has read, so a later run skips those whose size and version are unchanged. */
export class ObjectIndex {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  get count(): number {
    return this.entries.size;
  }

  /** Sum of the sizes recorded. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Read before with the same size and version. Objects without a version are always read again. */
  isUnchanged(object: Pick<InputObject, 'name' | 'size' | 'version'>): boolean {
    if (object.version === undefined) return false;
    const entry = this.entries.get(objectKey(object.name));
    return entry !== undefined && entry.version === object.version && entry.size === (object.size ?? null);
  }

  record(object: Pick<InputObject, 'name' | 'size' | 'version'>): void {
    const key = objectKey(object.name);
    this.totalBytes -= this.entries.get(key)?.size ?? 0;
    const entry = { size: object.size ?? null, version: object.version ?? null };
    this.entries.set(key, entry);
    this.totalBytes += entry.size ?? 0;
  }

  encode(): Buffer {
    const objects = [...this.entries]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, entry]) => [name, entry.size, entry.version]);
    return gzipSync(JSON.stringify({ version: OBJECT_LIST_VERSION, objects }));
  }

  static decode(bytes: Buffer): ObjectIndex {
    let value: unknown;
    try {
      value = JSON.parse(gunzipSync(bytes).toString('utf8'));
    } catch (error) {
      throw new ObjectListError(`not a gzipped JSON object list: ${(error as Error).message}`);
    }
    const parsed = objectListSchema.safeParse(value);
    if (!parsed.success) throw new ObjectListError(`not an object list: ${parsed.error.issues[0]?.message}`);
    const index = new ObjectIndex();
    for (const [name, size, version] of parsed.data.objects) {
      index.entries.set(name, { size, version });
      index.totalBytes += size ?? 0;
    }
    return index;
  }
}
