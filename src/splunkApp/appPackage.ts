/**
 * Packs a Splunk app folder into an installable .tgz: one top folder named after the app id, directories
 * 0755 and files 0644 owned by uid/gid 0, one fixed mtime, byte-ordered entries and a fixed gzip header,
 * so the same sources always give the same bytes. app.conf gets the release version (see appVersion.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { listAppFiles } from './appFiles';
import { confValue, parseConf } from './confFile';
import { stampAppConf } from './appVersion';
import { TarEntry, writeTar } from './tarArchive';
import { Auth0UsageError } from '../support/errors';

/** 2025-01-01T00:00:00Z: the mtime of every entry unless SOURCE_DATE_EPOCH says otherwise. */
export const DEFAULT_PACKAGE_MTIME = 1735689600;

const APP_CONF = 'default/app.conf';

export class AppPackageError extends Auth0UsageError {
  static override readonly code: string = 'ERR_SPLUNK_APP_PACKAGE';
  constructor(
    readonly appDir: string,
    reason: string,
  ) {
    super(`${appDir}: ${reason}`);
  }
}

export interface PackedApp {
  readonly appId: string;
  readonly version: string;
  /** The gzip-compressed tar. */
  readonly archive: Buffer;
  /** Archive paths in order, starting with "<appId>/". */
  readonly entries: readonly string[];
  /** Files of the folder left out, with reasons. */
  readonly skipped: readonly string[];
}

/** Checks what Splunk needs to install the folder as an app; returns its id. */
export function checkAppFolder(appDir: string): { appId: string } {
  const appConfPath = join(appDir, 'default', 'app.conf');
  if (!existsSync(appConfPath)) throw new AppPackageError(appDir, 'default/app.conf is missing');
  const appConf = parseConf(readFileSync(appConfPath, 'utf8'), 'default/app.conf');

  const appId = confValue(appConf, 'package', 'id');
  if (!appId) throw new AppPackageError(appDir, 'default/app.conf has no [package] id');
  // Splunk installs the package's top folder as etc/apps/<folder>; it must be the app id.
  if (appId !== basename(appDir)) {
    throw new AppPackageError(appDir, `[package] id "${appId}" differs from the folder name "${basename(appDir)}"`);
  }
  if (!existsSync(join(appDir, 'metadata', 'default.meta'))) {
    throw new AppPackageError(appDir, 'metadata/default.meta is missing');
  }
  return { appId };
}

export interface PackOptions {
  /** The release version (package.json's), written into the packed app.conf. */
  readonly version: string;
  /** Every entry's mtime, epoch seconds. */
  readonly mtime?: number;
}

export function packApp(appDir: string, options: PackOptions): PackedApp {
  const { version, mtime = DEFAULT_PACKAGE_MTIME } = options;
  if (!Number.isInteger(mtime) || mtime < 0) throw new RangeError(`mtime must be whole epoch seconds, got ${mtime}`);
  const { appId } = checkAppFolder(appDir);
  const { included, skipped } = listAppFiles(appDir);

  const contentOf = (relative: string): Buffer => {
    const bytes = readFileSync(join(appDir, relative));
    if (relative !== APP_CONF) return bytes;
    try {
      return Buffer.from(stampAppConf(bytes.toString('utf8'), version), 'utf8');
    } catch (error) {
      throw new AppPackageError(appDir, (error as Error).message);
    }
  };

  const entries: TarEntry[] = [{ path: `${appId}/`, type: 'directory', mode: 0o755, mtime }];
  for (const relative of included) {
    entries.push(
      relative.endsWith('/')
        ? { path: `${appId}/${relative}`, type: 'directory', mode: 0o755, mtime }
        : { path: `${appId}/${relative}`, type: 'file', mode: 0o644, mtime, content: contentOf(relative) },
    );
  }

  const archive = gzipSync(writeTar(entries), { level: 9 });
  // zlib writes MTIME 0 but the OS byte of the build platform; pin it to Unix (3) for identical bytes anywhere.
  archive[9] = 3;
  return { appId, version, archive, entries: entries.map((entry) => entry.path), skipped };
}
