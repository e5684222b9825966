/** The README's table of contents is current and every link inside it or to docs/ lands somewhere. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { withToc, anchorOf } = require('../../scripts/readme-toc.js') as {
  withToc(text: string): string;
  anchorOf(heading: string, seen: Map<string, number>): string;
};

const ROOT = path.resolve(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('anchors follow GitHub: punctuation dropped, spaces to hyphens, repeats numbered', () => {
  const seen = new Map<string, number>();
  expect(anchorOf('Checking HEC first: `hec-check`', seen)).toBe('checking-hec-first-hec-check');
  expect(anchorOf('Indexer acknowledgement (`--hec-ack`)', seen)).toBe('indexer-acknowledgement---hec-ack');
  expect(anchorOf('Nightly', seen)).toBe('nightly');
  expect(anchorOf('Nightly', seen)).toBe('nightly-1');
});

test('the table of contents lists every section (node scripts/readme-toc.js rewrites it)', () => {
  expect(withToc(README)).toBe(README);
});

test('every #anchor the README links to is a heading, and every docs/ link is a file', () => {
  const seen = new Map<string, number>();
  const anchors = new Set([...README.matchAll(/^#{1,4} (.+)$/gm)].map((m) => anchorOf(m[1]!, seen)));
  const links = [...README.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  expect(links.filter((l) => l.startsWith('#') && !anchors.has(l.slice(1)))).toEqual([]);
  expect(links.filter((l) => /^(docs|fixtures|config|scripts)\//.test(l) && !existsSync(path.join(ROOT, l.split('#')[0]!)))).toEqual([]);
});
