import path from 'node:path';
import picomatch from 'picomatch';

/** Left out unless --exclude is given: dot files and folders (.git, .DS_Store) and READMEs. */
export const DEFAULT_EXCLUDES: readonly string[] = ['.*', '*.md'];

export interface InputFilterOptions {
  /** Read only paths matching one of these; empty: every path. */
  include?: readonly string[];
  /** Never read paths matching one of these, nor anything in a folder matching one. */
  exclude?: readonly string[];
}

/**
 * Which files under an input folder (or keys under an S3 prefix) are read, from --include/--exclude globs. Paths are
 * relative to the folder or prefix, with `/` between segments. A pattern without a `/` matches a name at any depth
 * (`*.md`, `.*`); one with a `/` matches the whole relative path (`2024/**`). An exclusion that matches a folder
 * leaves out all of it. An input that names a single file or key is always read: it was asked for by name.
 */
export class InputFilter {
  readonly #include: ((relative: string) => boolean) | undefined;
  readonly #exclude: ((relative: string) => boolean) | undefined;
  /** Files or keys left out so far, for the run's log. */
  leftOut = 0;

  constructor(options: InputFilterOptions = {}) {
    const include = options.include ?? [];
    this.#include = include.length > 0 ? matcher(include) : undefined;
    const exclude = options.exclude ?? DEFAULT_EXCLUDES;
    this.#exclude = exclude.length > 0 ? matcher(exclude) : undefined;
  }

  /** Whether the file at `relative` (`/`-separated, relative to the input folder or prefix) is read. */
  admits(relative: string): boolean {
    const read = this.#decide(relative);
    if (!read) this.leftOut++;
    return read;
  }

  #decide(relative: string): boolean {
    if (this.#include && !this.#include(relative)) return false;
    if (!this.#exclude) return true;
    // The path itself and every folder above it: excluding `.git` leaves out `.git/objects/pack`.
    for (let end = relative.indexOf('/'); end !== -1; end = relative.indexOf('/', end + 1)) {
      if (this.#exclude(relative.slice(0, end))) return false;
    }
    return !this.#exclude(relative);
  }
}

/** One test for a list of globs: name-only patterns against the last segment, the others against the whole path. */
function matcher(globs: readonly string[]): (relative: string) => boolean {
  const byName = globs.filter((g) => !g.includes('/'));
  const byPath = globs.filter((g) => g.includes('/'));
  // `dot: true`: a pattern's `*` matches names starting with a dot too; dot files are left out by DEFAULT_EXCLUDES,
  // where a user can see and change it, not by a hidden rule of the matcher.
  const name = byName.length > 0 ? picomatch(byName, { dot: true }) : () => false;
  const whole = byPath.length > 0 ? picomatch(byPath.map((g) => g.replace(/^\.\//, '')), { dot: true }) : () => false;
  return (relative) => name(path.posix.basename(relative)) || whole(relative);
}

/** A glob for --include/--exclude, or why it is not one. */
export function checkGlob(glob: string): string | undefined {
  if (glob.trim() === '') return 'an empty pattern';
  if (glob.startsWith('/')) return 'an absolute pattern: patterns match paths relative to the input folder or prefix';
  try {
    picomatch.makeRe(glob);
  } catch (err) {
    return `not a glob: ${(err as Error).message}`;
  }
  return undefined;
}
