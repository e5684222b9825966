import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every relative module a TypeScript file imports, requires or re-exports, type-only imports included. */
export function relativeImports(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (let match = pattern.exec(source); match !== null; match = pattern.exec(source)) found.push(match[1]!);
  return found;
}

/** The top-level folder of `file` under `root` ('.' for files directly in it). */
function folderOf(root: string, file: string): string {
  const relative = path.relative(root, file).split(path.sep);
  return relative.length === 1 ? '.' : relative[0]!;
}

/** Folder → the folders its files import from, over every .ts file below `root`. */
export function folderGraph(root: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const from = folderOf(root, full);
        const edges = graph.get(from) ?? new Set<string>();
        graph.set(from, edges);
        for (const spec of relativeImports(readFileSync(full, 'utf8'))) {
          const to = folderOf(root, path.resolve(path.dirname(full), spec));
          if (to !== from) edges.add(to);
        }
      }
    }
  };
  walk(root);
  return graph;
}

/** One cycle of the graph as a path (a → b → a), or undefined when it has none. */
export function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'open');
    trail.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
