import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { isS3Url } from '../aws/s3Url';
import { addDays } from '../rollup/calendarDay';
import type { InputObject, LedgerEntry } from '../sources/inputObject';
import { Auth0UsageError } from '../support/errors';

/** readDaysKey's form: `from..to`, either side empty when unbounded. */
const READ_DAYS = /^(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?$/;
/** Several such ranges, apart from each other and in order, joined by commas (see joinedDays). */
const READ_DAYS_LIST = /^(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})(,\d{4}-\d{2}-\d{2}\.\.(\d{4}-\d{2}-\d{2})?)+$/;

/**
 * Version 2 adds the days an object was read for, version 3 several ranges of them; a list is written in the lowest
 * version that holds it, so a state stays readable by earlier builds until it needs more.
 */
const OBJECT_LIST_VERSION = 3;

const nameSizeVersion = [z.string(), z.number().int().nonnegative().nullable(), z.string().nullable()] as const;
const objectListSchema = z.union([
  z
    .object({
      version: z.literal(1),
      /** [name, size or null, version (ETag or mtime-size) or null], sorted by name. */
      objects: z.array(z.tuple([...nameSizeVersion])),
    })
    .strict(),
  z
    .object({
      version: z.literal(2),
      /** [name, size or null, version or null, the days it was read for (readDaysKey) or null], sorted by name. */
      objects: z.array(z.tuple([...nameSizeVersion, z.string().regex(READ_DAYS).nullable()])),
    })
    .strict(),
  z
    .object({
      version: z.literal(OBJECT_LIST_VERSION),
      /** As version 2, the days it was read for one range or several (READ_DAYS_LIST). */
      objects: z.array(z.tuple([...nameSizeVersion, z.union([z.string().regex(READ_DAYS), z.string().regex(READ_DAYS_LIST)]).nullable()])),
    })
    .strict(),
]);

/** Thrown for bytes that are not an object list of this version. */
export class ObjectListError extends Auth0UsageError {
  static override readonly code: string = 'ERR_OBJECT_LIST';

  constructor(
    message: string,
    /** A list of a version after this build's: written by a newer auth0-usage, not damaged. */
    readonly newer = false,
  ) {
    super(message);
  }
}

/**
 * The days a --from/--to run reads, as the ledger keeps them (`2024-01-02..2024-03-01`, a side empty when not given);
 * undefined for a run over every day. The state fixes the time zone, so days compare as text.
 */
export function readDaysKey(from: string | undefined | null, to: string | undefined | null): string | undefined {
  if (!from && !to) return undefined;
  return `${from ?? ''}..${to ?? ''}`;
}

/** Whether every day of `inner` (undefined: every day) lies in one range of `outer` (a list: see joinedDays). */
function daysWithin(inner: string | undefined, outer: string): boolean {
  if (inner === undefined) return false;
  const [innerFrom, innerTo] = inner.split('..') as [string, string];
  return outer.split(',').some((range) => {
    const [outerFrom, outerTo] = range.split('..') as [string, string];
    const fromInside = outerFrom === '' || (innerFrom !== '' && innerFrom >= outerFrom);
    const toInside = outerTo === '' || (innerTo !== '' && innerTo <= outerTo);
    return fromInside && toInside;
  });
}

/**
 * The days of `a` and of `b` (readDaysKey forms, or lists of them) as one list: ranges in order, those that overlap
 * or adjoin joined into one, the others apart (`2024-01-01..2024-01-31,2024-03-01..2024-04-30`). An empty side
 * is unbounded; every day is `..`. Runs over ranges with a gap between them must remember both: an object read for
 * each was counted for each.
 */
export function joinedDays(a: string, b: string): string {
  const ranges = [...a.split(','), ...b.split(',')].map((range) => range.split('..') as [string, string]);
  // By first day, an unbounded one first.
  ranges.sort(([x], [y]) => (x === y ? 0 : x === '' ? -1 : y === '' ? 1 : x < y ? -1 : 1));
  const joined: Array<[string, string]> = [];
  for (const [from, to] of ranges) {
    const last = joined.at(-1);
    if (last !== undefined && (last[1] === '' || from === '' || addDays(last[1], 1) >= from)) {
      if (last[1] !== '' && (to === '' || to > last[1])) last[1] = to;
    } else joined.push([from, to]);
  }
  return joined.map(([from, to]) => `${from}..${to}`).join(',');
}

/**
 * The ledger's entry for an object, by its key (objectKey): what a state or a shard's record file keeps of it. With
 * `readFor`, it held records outside those days and is done with for them only.
 */
export function ledgerEntryOf(object: LedgerEntry, readFor?: string): LedgerEntry {
  return {
    name: objectKey(object.name),
    ...(object.size === undefined ? {} : { size: object.size }),
    ...(object.version === undefined ? {} : { version: object.version }),
    ...(readFor === undefined ? {} : { readFor }),
  };
}

/** The name an object is remembered by: its s3:// URL, or its absolute path (so ./logs and /data/logs agree). */
export function objectKey(name: string): string {
  return isS3Url(name) ? name : path.resolve(name);
}

interface Entry {
  size: number | null;
  version: string | null;
  /** The days a --from/--to run read it for, when it held records outside them; null when read for every day. */
  readFor: string | null;
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

  /**
   * Read before with the same size and version, for every day this run reads (`days`: its readDaysKey). An object
   * read for fewer days (it held records outside the --from/--to of the run that read it) is read again by a run
   * over other days; one without a version always is.
   */
  isUnchanged(object: Pick<InputObject, 'name' | 'size' | 'version'>, days?: string): boolean {
    const entry = this.entryOfThis(object);
    return entry !== undefined && (entry.readFor === null || daysWithin(days, entry.readFor));
  }

  /**
   * The days whose records of this very object (same size and version) an earlier run counted, when it read the
   * object for those days only (it held records outside them); undefined when it was read for every day, never,
   * or in another version. A run reading it again counts only its records outside those days: the others were
   * counted, and their log_ids may be pruned by now (--dedup-days), so de-duplication alone would count them again.
   */
  countedFor(object: Pick<InputObject, 'name' | 'size' | 'version'>): string | undefined {
    return this.entryOfThis(object)?.readFor ?? undefined;
  }

  /** The entry of this very object: recorded with its size and version (an object without a version has none). */
  private entryOfThis(object: Pick<InputObject, 'name' | 'size' | 'version'>): Entry | undefined {
    if (object.version === undefined) return undefined;
    const entry = this.entries.get(objectKey(object.name));
    return entry !== undefined && entry.version === object.version && entry.size === (object.size ?? null) ? entry : undefined;
  }

  /**
   * Records an object read to its end. Read for some days only (`readFor`) after an earlier run read the same
   * version for other days that join them, it is done with for both (their union), not only for the last run's.
   */
  record(object: LedgerEntry): void {
    const key = objectKey(object.name);
    const counted = this.countedFor(object);
    if (object.readFor !== undefined && counted !== undefined) {
      const joined = joinedDays(counted, object.readFor);
      object = { ...object, readFor: joined === '..' ? undefined : joined };
    }
    this.totalBytes -= this.entries.get(key)?.size ?? 0;
    const entry = { size: object.size ?? null, version: object.version ?? null, readFor: object.readFor ?? null };
    this.entries.set(key, entry);
    this.totalBytes += entry.size ?? 0;
  }

  encode(): Buffer {
    const sorted = [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    // The lowest version that holds the list: a state stays readable by earlier builds until it needs more.
    if (sorted.every(([, entry]) => entry.readFor === null)) {
      return gzipSync(JSON.stringify({ version: 1, objects: sorted.map(([name, entry]) => [name, entry.size, entry.version]) }));
    }
    const objects = sorted.map(([name, entry]) => [name, entry.size, entry.version, entry.readFor]);
    const version = sorted.some(([, entry]) => entry.readFor?.includes(',')) ? OBJECT_LIST_VERSION : 2;
    return gzipSync(JSON.stringify({ version, objects }));
  }

  static decode(bytes: Buffer): ObjectIndex {
    let value: unknown;
    try {
      value = JSON.parse(gunzipSync(bytes).toString('utf8'));
    } catch (error) {
      throw new ObjectListError(`not a gzipped JSON object list: ${(error as Error).message}`);
    }
    const version = (value as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && Number.isInteger(version) && version > OBJECT_LIST_VERSION) {
      throw new ObjectListError(`its object list is version ${version}, and this auth0-usage reads up to version ${OBJECT_LIST_VERSION}`, true);
    }
    const parsed = objectListSchema.safeParse(value);
    if (!parsed.success) throw new ObjectListError(`not an object list: ${parsed.error.issues[0]?.message}`);
    const index = new ObjectIndex();
    for (const [name, size, version, readFor] of parsed.data.objects) {
      index.entries.set(name, { size, version, readFor: readFor ?? null });
      index.totalBytes += size ?? 0;
    }
    return index;
  }
}
