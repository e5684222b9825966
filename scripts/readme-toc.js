#!/usr/bin/env node
'use strict';
// Writes the README's table of contents (between <!-- toc --> and <!-- /toc -->) from its ## and ### headings,
// with GitHub's anchors. `--check` only says whether it is current (exit 1 if not).
const fs = require('node:fs');
const path = require('node:path');

const README = path.resolve(__dirname, '..', 'README.md');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorOf(heading, seen) {
  const base = heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
  const n = seen.get(base) ?? 0;
  seen.set(base, n + 1);
  return n === 0 ? base : `${base}-${n}`;
}

function tableOfContents(text) {
  const seen = new Map();
  const lines = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const match = !fenced && /^(##|###) (.+)$/.exec(line);
    if (!match) continue;
    const anchor = anchorOf(match[2], seen);
    if (match[2] === 'Contents') continue;
    lines.push(`${match[1] === '##' ? '' : '  '}- [${match[2]}](#${anchor})`);
  }
  return lines.join('\n');
}

function withToc(text) {
  const start = text.indexOf('<!-- toc -->');
  const end = text.indexOf('<!-- /toc -->');
  if (start === -1 || end === -1) throw new Error('README.md has no <!-- toc --> … <!-- /toc --> block');
  return `${text.slice(0, start)}<!-- toc -->\n${tableOfContents(text)}\n${text.slice(end)}`;
}

module.exports = { withToc, anchorOf };

if (require.main === module) {
  const text = fs.readFileSync(README, 'utf8');
  const next = withToc(text);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      process.stderr.write('README.md: the table of contents is out of date; run node scripts/readme-toc.js\n');
      process.exit(1);
    }
  } else fs.writeFileSync(README, next);
}
