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
      if (isInside(real, inputReal)) {
        throw new UsageError(`${flag} ${target} lies inside the input folder ${input}: the next run would read it back as input`);
      }
    }
  }
}

/** Folders the job keeps its own files in, by flag (the default spool too): why an output must not lie there. */
const OWNED_FOLDERS: Record<string, string> = {
  '--state': 'the state removes temporary files there that it did not finish',
  '--spool': 'the spool sends, and removes, the files it finds there',
};

/**
 * Refuses, before anything is read or written, written paths that collide: two outputs at one path (each would be
 * moved into place over the other, and one of them lost), or an output inside a folder the job keeps its own files
 * in (--state, --spool), whose clean-up would take it for one of its own.
 */
export function refuseWritesIntoEachOther(written: readonly WrittenPath[]): void {
  const local = written.filter((w) => w.path !== '-' && !isS3Url(w.path)).map((w) => ({ ...w, real: realPath(w.path) }));
  for (const [i, first] of local.entries()) {
    for (const second of local.slice(i + 1)) {
      if (second.real === first.real) throw new UsageError(`${second.flag} ${second.path} is also the ${first.flag}: give each its own path`);
    }
  }
  for (const target of local) {
    for (const folder of local) {
      const why = OWNED_FOLDERS[folder.flag.replace(/^the default /, '')];
      if (folder === target || why === undefined || !isInside(target.real, folder.real)) continue;
      const named = folder.flag.startsWith('the ') ? folder.flag : `the ${folder.flag}`;
      throw new UsageError(`${target.flag} ${target.path} lies inside ${named} folder ${folder.path}: ${why}; give it a path outside`);
    }
  }
}

function isInside(real: string, folderReal: string): boolean {
  return real.startsWith(folderReal.endsWith(path.sep) ? folderReal : folderReal + path.sep);
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

/**
 * Where the kernel puts `p` once the run has made its missing folders (makeDirs): its parts taken in order, each
 * existing one resolved (a link followed), a missing one kept as a folder to be made, and `..` the parent of what
 * came before it. Not normalized first: `link/..` is the parent of where the link leads, and in `new/../link` the
 * link is followed, since `new` will exist.
 */
function realPath(p: string): string {
  const absolute = path.isAbsolute(p) ? p : `${process.cwd()}${path.sep}${p}`;
  let real: string = path.sep;
  for (const part of absolute.split(path.sep)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      real = path.dirname(real);
      continue;
    }
    const next = path.join(real, part);
    try {
      // The native realpath(3): the JS one drops `x/..` before it follows a link x.
      real = realpathSync.native(next);
    } catch {
      real = next;
    }
  }
  return real;
}
