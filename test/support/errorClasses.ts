import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** An error class as its source declares it. */
export interface DeclaredErrorClass {
  name: string;
  parent: string;
  file: string;
  /** Its own `static … code`, if it declares one. */
  code?: string;
  exitCode?: 1 | 2;
  internal: boolean;
  /** Never thrown itself (`abstract class`). */
  abstract: boolean;
}

/** Every `class X extends Y` below `root` whose name or parent's name says it is an error, read from the sources. */
export function declaredErrorClasses(root: string): DeclaredErrorClass[] {
  const found: DeclaredErrorClass[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(full, 'utf8');
        const pattern = /(abstract )?class (\w+) extends (\w+)[^{]*\{([\s\S]*?)\n\}/g;
        for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
          const [, abstract, name, parent, body] = m as unknown as [string, string | undefined, string, string, string];
          if (!/Error$|Aborted$|Abandoned$|Stopped$|Requested$/.test(name) && !/Error$/.test(parent)) continue;
          const code = /static (?:override )?readonly code: string = '([A-Z_0-9]+)'/.exec(body)?.[1];
          const exit = /static (?:override )?readonly exitCode: 1 \| 2 = ([12])/.exec(body)?.[1];
          found.push({
            name,
            parent,
            file: path.relative(root, full),
            ...(code ? { code } : {}),
            ...(exit ? { exitCode: Number(exit) as 1 | 2 } : {}),
            internal: /static (?:override )?readonly internal = true/.test(body),
            abstract: abstract !== undefined,
          });
        }
      }
    }
  };
  walk(root);
  return found;
}

/** A class's exit code and internal flag, inherited along its parents as the statics are. */
export function effective(cls: DeclaredErrorClass, all: readonly DeclaredErrorClass[]): { exitCode: 1 | 2; internal: boolean } {
  const parent = all.find((other) => other.name === cls.parent);
  const inherited = parent ? effective(parent, all) : { exitCode: 1 as const, internal: false };
  return { exitCode: cls.exitCode ?? inherited.exitCode, internal: cls.internal || inherited.internal };
}
