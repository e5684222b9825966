/**
 * Seeded generator of messy archive bytes for comparing decodeStream with the reference decoder: every envelope,
 * NDJSON / back-to-back / pretty / array layouts, CRLF, blank lines, BOM, garbage, truncated values, byte-level
 * mutations, and gzip (several members, optionally cut off).
 */
import { gzipSync } from 'node:zlib';

import { seededRandom, type Random } from '../../support/seededRandom';

export { seededRandom, type Random };

const int = (rnd: Random, n: number): number => Math.floor(rnd() * n);
const pick = <T>(rnd: Random, items: readonly T[]): T => items[int(rnd, items.length)];

const TRICKY_STRINGS = [
  'plain',
  'braces { } [ ] , :',
  'quote " and backslash \\',
  'line\nbreak and tab\t',
  'Zoë 🙂 日本',
  '}{',
  '\u2028\u0001',
  '',
  '{"log_id":"1"}',
];
const TYPES = ['s', 'seccft', 'feccft', 'f', 'fp', 'sapi', 'slo', 'ssa'];

function logId(rnd: Random): string {
  let id = '900';
  while (id.length < 56) id += String(int(rnd, 10));
  return id;
}

/** Dates in Auth0's shape and in every other shape the date rules treat specially. */
const ODD_DATES = [
  '2024-01-15T10:30:00Z', '2024-01-15T10:30:00.1234Z', '2024-01-15T12:30:00.000+02:00', '2024-01-15', '2024-01-15T10:30',
  '2024-02-29T23:59:59.999Z', '2023-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-01-15T24:00:00.000Z',
  '2024-01-15T23:60:00.000Z', '0050-06-01T00:00:00.000Z', '2024-13-01T00:00:00.000Z', '2024-1-15T00:00:00.000Z',
];

function record(rnd: Random): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  const dateRoll = rnd();
  if (dateRoll < 0.95) {
    r.date = dateRoll < 0.8 ? new Date(1.7e12 + int(rnd, 1e9)).toISOString() : dateRoll < 0.9 ? pick(rnd, ODD_DATES) : pick(rnd, ['yesterday', 17, null]);
  }
  if (rnd() < 0.95) r.type = pick(rnd, TYPES);
  if (rnd() < 0.1) (r.type_code = pick(rnd, TYPES)), (r.type = 'Readable Name');
  const idRoll = rnd();
  if (idRoll < 0.7) r.log_id = logId(rnd);
  else if (idRoll < 0.8) r._id = logId(rnd);
  else if (idRoll < 0.85) r.log_id = 12345;
  if (rnd() < 0.5) r.client_id = rnd() < 0.9 ? `client${int(rnd, 5)}` : null;
  if (rnd() < 0.5) r.client_name = pick(rnd, TRICKY_STRINGS);
  if (rnd() < 0.5) r.tenant_name = pick(rnd, ['acme', '', 'other']);
  if (rnd() < 0.5) r.hostname = pick(rnd, ['acme.eu.auth0.com', 'login.example.com', '', 'solo']);
  if (rnd() < 0.3) r.audience = 'https://api.example/';
  if (rnd() < 0.4) r.details = { n: int(rnd, 1000) - 500, f: rnd() * 1e3, e: 1.5e-7, b: rnd() < 0.5, z: null, list: [1, 'two', [3], {}], s: pick(rnd, TRICKY_STRINGS) };
  return r;
}

function envelopeItem(rnd: Random): unknown {
  const rec = record(rnd);
  const roll = rnd();
  if (roll < 0.4) return rec;
  if (roll < 0.7) return { log_id: rec.log_id ?? logId(rnd), data: rec };
  if (roll < 0.85) return { version: '0', 'detail-type': 'Auth0 log', source: 'aws.partner/auth0.com/t/auth0.logs', detail: { log_id: logId(rnd), data: rec } };
  if (roll < 0.95) return { 'detail-type': ['Auth0 log'], detail: rec };
  return pick(rnd, [42, 'text', true, null, [1, 2], -0.5]);
}

/**
 * Text-level variations JSON.stringify never writes but JSON.parse reads, each at a spot where the decode fast path
 * has to mirror it exactly or leave the item to JSON.parse: escaped keys and values, duplicate keys (the last wins),
 * nulls, and nesting deeper than the fast path reads.
 */
const TWISTS: Array<[string, string]> = [
  ['"type":"', '"typ\\u0065":"'],
  ['"tenant_name":"', '"tenant\\u005fname":"'],
  ['"detail":{', '"detail":5,"detail":{'],
  ['"data":{', '"data":{"type":"shadow"},"data":{'],
  ['"type":"', '"type":"early","type":"'],
  ['"log_id":"', '"log_id":null,"log_id":"'],
  ['auth0.com', 'auth0\\u002ecom'],
  ['"Auth0 log"', '"Auth0\\u0020log"'],
  ['T', '\\u0054'],
  ['"client_id":"', '"client_id":"\\/'],
  ['"hostname":"', '"hostname":"\\u00e9.'],
  ['"tenant_name":"', '"tenant_name":null,"x":"'],
  ['"date":', `"deep":${'['.repeat(70)}${']'.repeat(70)},"date":`],
  ['"user_id":"', '"user_id" : "'],
];

function twist(rnd: Random, text: string): string {
  const [from, to] = pick(rnd, TWISTS);
  return text.replace(from, to);
}

function serialize(rnd: Random, value: unknown): string {
  const roll = rnd();
  if (roll < 0.55) return JSON.stringify(value);
  if (roll < 0.7) return twist(rnd, twist(rnd, JSON.stringify(value)));
  if (roll < 0.9) return JSON.stringify(value, null, 2);
  return JSON.stringify(value, null, '\t').replace(/\n/g, '\r\n');
}

/** One item as compact JSON text, often with TWISTS applied. */
export function generateItemText(rnd: Random): string {
  const text = JSON.stringify(envelopeItem(rnd));
  return rnd() < 0.5 ? twist(rnd, text) : text;
}

function garbage(rnd: Random): string {
  const text = serialize(rnd, envelopeItem(rnd));
  return pick(rnd, [
    () => text.slice(0, int(rnd, text.length)), // truncated value
    () => 'not json at all',
    () => pick(rnd, ['}', ']', ',', ':', '}{', 'nul', '-', '1.', '"open', '{"a":tru}', '{"a" 1}', '[1 2]', '{,}', '\u00e9']),
    () => text.replace(/,/, ''), // missing comma somewhere
  ])();
}

function separator(rnd: Random): string {
  return pick(rnd, ['\n', '\n', '\r\n', '', ' ', '\n\n', '\r\n\r\n  ', '\t\n']);
}

/** Archive text: a random mix of items, arrays and garbage. */
export function generateArchiveText(rnd: Random, items: number): string {
  let text = rnd() < 0.2 ? '\ufeff' : '';
  for (let i = 0; i < items; i++) {
    const roll = rnd();
    if (roll < 0.65) {
      text += serialize(rnd, envelopeItem(rnd));
    } else if (roll < 0.85) {
      const elements = Array.from({ length: int(rnd, 4) }, () => envelopeItem(rnd));
      text += serialize(rnd, elements);
    } else {
      text += garbage(rnd);
    }
    text += separator(rnd);
  }
  return text;
}

/** Back-to-back EventBridge events as Firehose writes them by default: no delimiter at all, rarely a line break. */
export function generateFirehoseText(rnd: Random, items: number): string {
  let text = '';
  for (let i = 0; i < items; i++) {
    const rec = record(rnd);
    const event = { version: '0', 'detail-type': 'Auth0 log', source: 'aws.partner/auth0.com/t/auth0.logs', detail: { log_id: logId(rnd), data: rec } };
    text += rnd() < 0.1 ? twist(rnd, JSON.stringify(event)) : JSON.stringify(event);
    if (rnd() < 0.05) text += '\n';
  }
  return text;
}

/** Random single-character edits, biased to JSON's structural characters. */
export function mutate(rnd: Random, text: string, edits: number): string {
  const alphabet = '{}[]",:\n\r \\tfn0-.e\u00e9x';
  for (let i = 0; i < edits && text.length > 0; i++) {
    const at = int(rnd, text.length);
    const ch = alphabet[int(rnd, alphabet.length)];
    const op = int(rnd, 3);
    text = op === 0 ? text.slice(0, at) + text.slice(at + 1) : op === 1 ? text.slice(0, at) + ch + text.slice(at) : text.slice(0, at) + ch + text.slice(at + 1);
  }
  return text;
}

/** gzip in 1-3 members, optionally cut off. */
export function gzipArchive(rnd: Random, bytes: Buffer, cut: boolean): Buffer {
  const members = 1 + int(rnd, 3);
  const bounds = [0, ...Array.from({ length: members - 1 }, () => int(rnd, bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  const parts: Buffer[] = [];
  for (let i = 0; i < members; i++) parts.push(gzipSync(bytes.subarray(bounds[i], bounds[i + 1])));
  const gz = Buffer.concat(parts);
  return cut ? gz.subarray(0, 2 + int(rnd, gz.length - 2)) : gz;
}

/** Splits bytes at random positions; with `tiny`, most chunks are 1 byte. */
export function randomChunks(rnd: Random, bytes: Buffer, tiny: boolean): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = tiny ? (rnd() < 0.8 ? 1 : 1 + int(rnd, 8)) : 1 + int(rnd, rnd() < 0.5 ? 64 : 4096);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}
