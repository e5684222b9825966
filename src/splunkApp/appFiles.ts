/**
 * Which files of a Splunk app folder belong in its package. Splunk apps ship `default/` and
 * `metadata/default.meta`; `local/` and `local.meta` hold one installation's own changes and must never
 * travel (AppInspect rejects them, and they would overwrite the target's settings). Hidden files and editor
 * leftovers are dropped too.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Auth0UsageError } from '../support/errors';

export class AppFileError extends Auth0UsageError {
  static override readonly code: string = 'ERR_SPLUNK_APP_FILE';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

export interface AppFileListing {
  /** POSIX paths relative to the app folder, sorted; directories end with "/". */
  readonly included: readonly string[];
  /** Paths left out, each with its reason. */
  readonly skipped: readonly string[];
}

const LEFTOVER = /(~|\.swp|\.swo|\.bak|\.orig|\.rej|\.pyc|\.tgz|\.tar\.gz|\.spl)$/;

/** Why a path stays out of the package, or undefined when it belongs in it. */
export function skipReason(relativePath: string): string | undefined {
  const segments = relativePath.replace(/\/$/, '').split('/');
  const name = segments[segments.length - 1];
  if (segments.some((segment) => segment.startsWith('.'))) return 'hidden file';
  if (segments[0] === 'local') return "local/ holds one installation's own changes";
  if (relativePath === 'metadata/local.meta') return "local.meta holds one installation's own permissions";
  if (name === '__pycache__' || LEFTOVER.test(name)) return 'editor or build leftover';
  return undefined;
}

/** Walks `appDir` (symbolic links and special files are refused: Splunk apps may not contain them). */
export function listAppFiles(appDir: string): AppFileListing {
  const included: string[] = [];
  const skipped: string[] = [];

  const walk = (relativeDir: string): void => {
    for (const name of readdirSync(join(appDir, relativeDir)).sort()) {
      const relative = relativeDir === '' ? name : `${relativeDir}/${name}`;
      const stats = lstatSync(join(appDir, relative));
      if (stats.isSymbolicLink()) throw new AppFileError(relative, 'symbolic links are not allowed in a Splunk app');
      if (!stats.isDirectory() && !stats.isFile()) throw new AppFileError(relative, 'not a regular file or directory');
      const listed = stats.isDirectory() ? `${relative}/` : relative;
      const reason = skipReason(listed);
      if (reason) {
        skipped.push(`${listed} (${reason})`);
        continue;
      }
      included.push(listed);
      if (stats.isDirectory()) walk(relative);
    }
  };

  walk('');
  // Byte order, so the listing is the same on every machine and locale (a parent sorts before its children).
  included.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { included, skipped };
}
