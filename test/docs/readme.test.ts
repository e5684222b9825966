/** The README's table of contents is current and every link inside it or to docs/ lands somewhere. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** Anchors of a Markdown file's headings (any level, outside code fences), as GitHub makes them. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  let fenced = false;
  const anchors = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const match = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (match) anchors.add(anchorOf(match[1]!, seen));
  }
  return anchors;
}

const DOCS = readdirSync(path.join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

test.each(['README.md', ...DOCS])('every link in %s lands on a file and, with #anchor, on a heading', (file) => {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
    const [file2, anchor] = target!.split('#') as [string, string | undefined];
    const dest = file2 === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), file2);
    if (!existsSync(dest)) broken.push(target!);
    else if (anchor !== undefined && dest.endsWith('.md') && !anchorsOf(readFileSync(dest, 'utf8')).has(anchor)) broken.push(target!);
  }
  expect(broken).toEqual([]);
});

test("the README's summary kinds table has a row per kind, naming each of its own fields", () => {
  const { SUMMARY_FIELDS } = require('../../src/rollup/summaryEvent') as { SUMMARY_FIELDS: Record<string, readonly string[]> };
  const common = ['summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id'];
  const start = README.indexOf('| kind | one per | fields |');
  const table = README.slice(start, README.indexOf('\n\n', start));
  const rows = new Map([...table.matchAll(/^\| `([a-z0-9_]+)` \|(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  expect([...rows.keys()].sort()).toEqual(Object.keys(SUMMARY_FIELDS).sort());
  const missing = Object.entries(SUMMARY_FIELDS).flatMap(([kind, fields]) =>
    fields.filter((field) => !common.includes(field) && !rows.get(kind)!.includes(`\`${field}\``)).map((field) => `${kind}.${field}`),
  );
  expect(missing).toEqual([]);
});
