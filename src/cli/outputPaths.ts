import { realpathSync } from 'node:fs';
import path from 'node:path';
import { isS3Url } from '../aws/s3Url';
import { UsageError } from './usageError';

/** A path the run writes, with the flag that named it. */
export interface WrittenPath {
  flag: string;
  path: string;
}

/**
 * Refuses, before anything is read or written, a written path that is an input or lies inside an input folder:
 * the run would overwrite its own source, or the next run would read its output back as archives. Paths are
 * compared as resolved real paths (symlinks and `..` followed); a path that does not exist yet is resolved through
 * its nearest existing folder.
 */
export function refuseWritesIntoInputs(inputs: readonly string[], written: readonly WrittenPath[]): void {
  const localInputs = inputs.filter((input) => !isS3Url(input)).map((input) => ({ input, real: realPath(input) }));
  for (const { flag, path: target } of written) {
    if (target === '-') continue;
    const real = realPath(target);
    for (const { input, real: inputReal } of localInputs) {
      if (real === inputReal) throw new UsageError(`${flag} ${target} is the input ${input}: refusing to overwrite an input`);
      if (real.startsWith(inputReal.endsWith(path.sep) ? inputReal : inputReal + path.sep)) {
        throw new UsageError(`${flag} ${target} lies inside the input folder ${input}: the next run would read it back as input`);
      }
    }
  }
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
function realPath(p: string): string {
  const absolute = path.resolve(p);
  const rest: string[] = [];
  let at = absolute;
  for (;;) {
    try {
      return path.join(realpathSync(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return absolute;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}
