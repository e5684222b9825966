import { sha256Hex } from '../support/fingerprint';
import type { SummaryKind } from './summaryEvent';

/** Strings whose JSON text is themselves in quotes: no quote, backslash, control character or surrogate. */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** JSON.stringify(text), without its call for the strings ids are made of (names, days, zones, type codes). */
function jsonString(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/**
 * The deterministic id of a summary bucket: the first 32 hex digits of SHA-256 over the canonical JSON array
 * [kind, tenant, day, tz, ...dimensions]. JSON quoting keeps ("a,b", "c") and ("a", "b,c") apart, and nothing
 * run- or machine-specific enters it, so re-running over the same input reproduces every id. The array's text is
 * built here rather than by JSON.stringify of an array: with hundreds of thousands of summaries that call cost as
 * much as the hash.
 */
export function summaryId(
  kind: Exclude<SummaryKind, 'run'>,
  tenant: string,
  day: string,
  tz: string,
  ...dimensions: string[]
): string {
  let canonical = `[${jsonString(kind)},${jsonString(tenant)},${jsonString(day)},${jsonString(tz)}`;
  for (const dimension of dimensions) canonical += `,${jsonString(dimension)}`;
  return sha256Hex(`${canonical}]`).slice(0, 32);
}
