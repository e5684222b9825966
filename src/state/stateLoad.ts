import type { S3ClientOptions } from '../aws/s3ClientOptions';
import type { Logger } from '../support/logger';
import { isS3Url } from '../aws/s3Url';
import { LocalStateStorage } from './localStateStorage';
import { ObjectIndex, ObjectListError } from './objectIndex';
import { isStateEntry, LAST_RUN_NAME, LOCK_NAME, MANIFEST_NAME } from './stateLayout';
import { parseManifest, type StateManifest } from './stateManifest';
import { stateDamaged, StateError } from './stateErrors';
import type { StateStorage } from './stateStorage';

/**
 * A local folder for a path, an S3 prefix for an s3:// URL (with the same client options as the inputs); `logger`
 * hears of what an S3 state gets over (a state file read again, a staged file it could not remove).
 */
export function openStateStorage(location: string, s3?: S3ClientOptions, logger?: Pick<Logger, 'warn'>): StateStorage {
  if (!isS3Url(location)) return new LocalStateStorage(location);
  // Loaded on first use: the AWS SDK takes about 50 ms to load, which a local run need not pay.
  const { S3StateStorage } = require('./s3StateStorage') as typeof import('./s3StateStorage');
  return new S3StateStorage(location, { ...s3, logger });
}

/**
 * The committed manifest, or undefined for a state not created yet. A location without a manifest must be
 * empty or hold only a state's own files (an interrupted first commit); anything else is someone else's data.
 */
export async function readManifest(storage: StateStorage): Promise<StateManifest | undefined> {
  const bytes = await storage.read(MANIFEST_NAME);
  if (bytes !== undefined) return parseManifest(bytes, storage.location);
  const foreign = (await storage.list()).find((name) => !isStateEntry(name));
  if (foreign !== undefined) {
    throw new StateError(`${storage.location} is not an auth0-usage state (it holds ${foreign} and no manifest.json); give an empty folder or prefix for --state`);
  }
  return undefined;
}

/** The state's record of its last run (`last-run.json`): how it ended, and its run event. */
export interface LastRun {
  committed?: boolean;
  /** A run not committed as a whole: the generation of the last checkpoint it committed, when it committed one. */
  checkpointGeneration?: number;
  run?: Record<string, unknown>;
}

/** The last run as recorded, 'unreadable' when the record is not JSON, undefined when there is none. */
export async function readLastRun(storage: StateStorage): Promise<LastRun | 'unreadable' | undefined> {
  const bytes = await storage.read(LAST_RUN_NAME);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8')) as LastRun;
  } catch {
    return 'unreadable';
  }
}

/** The list of objects read, as the manifest names it. */
export async function readObjectIndex(storage: StateStorage, manifest: StateManifest | undefined): Promise<ObjectIndex> {
  const file = manifest?.objects.file;
  if (file === undefined || file === null) return new ObjectIndex();
  const bytes = await storage.read(file);
  if (bytes === undefined) throw stateDamaged(`the state ${storage.location} is incomplete: ${file} is missing`);
  try {
    return ObjectIndex.decode(bytes);
  } catch (error) {
    // A newer build's list is not damage: said so, lest the file be removed and every object read (and counted) again.
    if (error instanceof ObjectListError && error.newer) throw new StateError(`the state ${storage.location} was written by a newer auth0-usage: ${error.message}; run that version or a later one, and leave ${file} as it is`);
    if (error instanceof ObjectListError) throw stateDamaged(`the state ${storage.location} is corrupt: ${file}: ${error.message}`);
    throw error;
  }
}

/** Every file the manifest names must exist: a state missing one would silently lose figures. */
export function checkComplete(storage: StateStorage, manifest: StateManifest, stored: readonly string[]): void {
  const present = new Set(stored);
  for (const day of manifest.days) {
    for (const name of [day.aggregate, day.logIds]) {
      if (name !== null && !present.has(name)) {
        throw stateDamaged(`the state ${storage.location} is incomplete: ${name} (${day.tenant} ${day.day}) is missing`);
      }
    }
  }
}

/** Names the manifest references, plus the state's fixed files: everything else may be swept. */
export function referencedNames(manifest: StateManifest): Set<string> {
  const names = new Set<string>([MANIFEST_NAME, LOCK_NAME, LAST_RUN_NAME]);
  if (manifest.objects.file !== null) names.add(manifest.objects.file);
  for (const day of manifest.days) {
    names.add(day.aggregate);
    if (day.logIds !== null) names.add(day.logIds);
  }
  return names;
}
