import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

// The Kubernetes schemas (kubernetes-models) ignore unknown fields, which the API server refuses: these find them.

/** Field names the Kubernetes schemas know: their validators read each field as data.<name> or data["<name>"]. */
export function knownFieldNames(): Set<string> {
  const names = new Set<string>();
  for (const pkg of ['kubernetes-models', '@kubernetes-models/apimachinery']) {
    const dir = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), '_schemas');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      for (const m of source.matchAll(/data(?:\.([A-Za-z_$][\w$]*)|\["([^"]+)"\])/g)) names.add(m[1] ?? m[2]!);
    }
  }
  return names;
}

// Keys under these are the user's own (label names, resource names), not API fields.
const MAP_FIELDS = new Set(['labels', 'annotations', 'nodeSelector', 'matchLabels', 'limits', 'requests']);

export function unknownFields(value: unknown, known: Set<string>, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownFields(item, known, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(known.has(key) ? [] : [`${at}.${key}`]),
    ...(MAP_FIELDS.has(key) ? [] : unknownFields(child, known, `${at}.${key}`)),
  ]);
}
