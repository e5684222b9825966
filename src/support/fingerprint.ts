import crypto from 'node:crypto';

/**
 * SHA-256 of a string's UTF-8 bytes, in hex. crypto.hash (Node 20.12+) takes about a third of the time of
 * createHash().update().digest(), which counted on runs that build a summary id for each of hundreds of
 * thousands of summaries; older Node versions the engines field allows take the long way.
 */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** 16 hex digits of SHA-256: short, and collisions are not a concern for change detection. */
export function fingerprintOf(text: string): string {
  return sha256Hex(text).slice(0, 16);
}
