import { realpathSync } from 'node:fs';
import path from 'node:path';
import { isS3Url, parseS3Url, type S3Location } from '../aws/s3Url';
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
  const s3Inputs = inputs.filter(isS3Url);
  for (const { flag, path: target } of written) {
    if (target === '-') continue;
    if (isS3Url(target)) {
      refuseS3WriteUnderInputs(s3Inputs, flag, target);
      continue;
    }
    const real = realPath(target);
    for (const { input, real: inputReal } of localInputs) {
      if (real === inputReal) throw new UsageError(`${flag} ${target} is the input ${input}: refusing to overwrite an input`);
      if (real.startsWith(inputReal.endsWith(path.sep) ? inputReal : inputReal + path.sep)) {
        throw new UsageError(`${flag} ${target} lies inside the input folder ${input}: the next run would read it back as input`);
      }
    }
  }
}

/**
 * An S3 location (the --state) that an S3 input lists: every key that starts with an input's prefix is read, so the
 * location's keys must not.
 */
function refuseS3WriteUnderInputs(inputs: readonly string[], flag: string, target: string): void {
  let written: S3Location;
  try {
    written = parseS3Url(target);
  } catch {
    return; // not a location at all: opening it says so
  }
  for (const input of inputs) {
    const read = parseS3Url(input);
    if (read.bucket === written.bucket && written.prefix.startsWith(read.prefix)) {
      throw new UsageError(`${flag} ${target} lies under the input prefix ${input}: the next run would read it back as input`);
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
