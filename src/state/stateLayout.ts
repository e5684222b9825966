/**
 * Names inside a state. Day files and object lists are never overwritten: each commit writes new names
 * (tagged with the new generation and the writer's token) and the manifest, replaced last, says which are current.
 */

import { isShardName } from './shardLayout';

export const MANIFEST_NAME = 'manifest.json';
export const LOCK_NAME = 'lock.json';
export const LAST_RUN_NAME = 'last-run.json';
export const STAGING_PREFIX = 'staging-';

/** A stored file the manifest may name: under days/ or objects/, no empty, `.` or `..` segment. */
const STATE_FILE = /^(days|objects)(\/(?!\.\.?(\/|$))[^/]+)+$/;

export function isStateFileName(name: string): boolean {
  return STATE_FILE.test(name);
}

/** Whether a name found in a state's folder or prefix belongs to a state (anything else makes it foreign). */
export function isStateEntry(name: string): boolean {
  if (name === MANIFEST_NAME || name === LOCK_NAME || name === LAST_RUN_NAME) return true;
  if (name.startsWith(STAGING_PREFIX)) return true;
  if (isShardName(name)) return true;
  // Temporary files of an interrupted atomic write: `.<name>.<pid>.<random>.tmp`.
  if (/(^|\/)\.[^/]+\.tmp$/.test(name)) return true;
  return isStateFileName(name);
}

/** A tenant as one path segment: percent-encoded, dots too (no `.` or `..` segment), `%` for the empty name. */
export function tenantSegment(tenant: string): string {
  return tenant === '' ? '%' : encodeURIComponent(tenant).replace(/\./g, '%2E');
}

/** A writer's tag for new names: the generation it commits and its token. */
export function fileTag(generation: number, token: string): string {
  return `${generation}-${token.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function dayFileNames(tenant: string, day: string, tag: string): { aggregate: string; logIds: string } {
  const base = `days/${tenantSegment(tenant)}/${day}.${tag}`;
  return { aggregate: `${base}.agg.json`, logIds: `${base}.ids` };
}

export function objectListName(tag: string): string {
  return `objects/${tag}.json.gz`;
}
