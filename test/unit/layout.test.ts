/**
 * The folder graph of src/: sources → decode → rollup → sinks, with state beside them, run orchestrating, and the
 * CLI and config at the edge (docs/architecture.md). Every import points one way.
 */
import path from 'node:path';
import { findCycle, folderGraph, relativeImports } from '../support/importGraph';

const SRC = path.resolve(__dirname, '../../src');

/** Which folders each folder may import from: the layering docs/architecture.md describes. */
const ALLOWED: Record<string, readonly string[]> = {
  support: [],
  config: ['support'],
  aws: ['support'],
  sources: ['aws', 'support'],
  decode: ['support'],
  auth0: ['config', 'support'],
  rollup: ['decode', 'config', 'support'],
  sinks: ['rollup', 'decode', 'support'],
  state: ['rollup', 'sources', 'aws', 'config', 'support'],
  status: ['state', 'sinks', 'support'],
  run: ['sources', 'decode', 'rollup', 'sinks', 'state', 'config', 'support'],
  splunkApp: ['support'],
  cli: ['run', 'status', 'auth0', 'state', 'sinks', 'rollup', 'decode', 'sources', 'aws', 'config', 'support', 'splunkApp'],
  '.': ['cli'],
};

test('no folder imports one that imports it back', () => {
  expect(findCycle(folderGraph(SRC))).toBeUndefined();
});

test('each folder imports only from the folders below it', () => {
  const graph = folderGraph(SRC);
  const unexpected: string[] = [];
  for (const [from, targets] of graph) {
    expect(Object.keys(ALLOWED)).toContain(from);
    for (const to of targets) if (!ALLOWED[from]!.includes(to)) unexpected.push(`${from} -> ${to}`);
  }
  expect(unexpected).toEqual([]);
});

test('the declared layering itself has no cycle', () => {
  const declared = new Map(Object.entries(ALLOWED).map(([from, to]) => [from, new Set(to)]));
  expect(findCycle(declared)).toBeUndefined();
});

describe('the checker', () => {
  test('finds imports, requires, re-exports and dynamic imports', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from '../b/b';",
      "export { c } from \"./c\";",
      "const d = require('../d');",
      "const e = await import('./e');",
      "import os from 'node:os';",
    ].join('\n');
    expect(relativeImports(source)).toEqual(['./a', '../b/b', './c', '../d', './e']);
  });

  test('reports a cycle, and none in a one-way graph', () => {
    const graph = new Map([
      ['run', new Set(['state'])],
      ['state', new Set(['support'])],
      ['support', new Set<string>()],
    ]);
    expect(findCycle(graph)).toBeUndefined();
    graph.get('support')!.add('run');
    expect(findCycle(graph)).toEqual(['run', 'state', 'support', 'run']);
  });
});
