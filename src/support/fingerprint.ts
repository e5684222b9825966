import { createHash } from 'node:crypto';

/** 16 hex digits of SHA-256: short, and collisions are not a concern for change detection. */
export function fingerprintOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}
