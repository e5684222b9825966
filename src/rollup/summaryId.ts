import { sha256Hex } from '../support/fingerprint';
import type { SummaryKind } from './summaryEvent';

/**
 * The deterministic id of a summary bucket: the first 32 hex digits of SHA-256 over the canonical JSON array
 * [kind, tenant, day, tz, ...dimensions]. JSON quoting keeps ("a,b", "c") and ("a", "b,c") apart, and nothing
 * run- or machine-specific enters it, so re-running over the same input reproduces every id.
 */
export function summaryId(
  kind: Exclude<SummaryKind, 'run'>,
  tenant: string,
  day: string,
  tz: string,
  ...dimensions: string[]
): string {
  const canonical = JSON.stringify([kind, tenant, day, tz, ...dimensions]);
  return sha256Hex(canonical).slice(0, 32);
}
