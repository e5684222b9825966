/**
 * The app's version comes from package.json, written into the packed app.conf by the pack script, so the
 * app and the job it reads are released under one number and nobody edits it in two places.
 */
import { Auth0UsageError } from '../support/errors';

/** package.json's version cannot be an app version (x.y.z). */
export class AppVersionError extends Auth0UsageError {
  static override readonly code: string = 'ERR_SPLUNK_APP_VERSION';
}

const RELEASE_VERSION = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * `[install] build` of a version: major × 1,000,000 + minor × 1,000 + patch. Splunk Web caches an app's
 * static files by build, so it must rise with every release; derived from the version, it does.
 */
export function buildNumber(version: string): number {
  const parts = RELEASE_VERSION.exec(version);
  if (!parts) throw new AppVersionError(`version "${version}" is not major.minor.patch with parts below 1000`);
  return Number(parts[1]) * 1_000_000 + Number(parts[2]) * 1_000 + Number(parts[3]);
}

/** Where the version goes in app.conf: stanza, key, and the value for a given version. */
const STAMPED: readonly { stanza: string; key: string; value: (version: string) => string }[] = [
  { stanza: 'id', key: 'version', value: (version) => version },
  { stanza: 'install', key: 'build', value: (version) => String(buildNumber(version)) },
  { stanza: 'launcher', key: 'version', value: (version) => version },
];

/**
 * app.conf's text with `[id] version`, `[launcher] version` and `[install] build` set for `version`;
 * every other byte unchanged. Each of the three must be present once (a plain `key = value` line).
 */
export function stampAppConf(text: string, version: string): string {
  buildNumber(version);
  const found = new Set<string>();
  let stanza = 'default';
  const lines = text.split('\n').map((line) => {
    const header = /^\s*\[(.*)\]\s*$/.exec(line);
    if (header) {
      stanza = header[1];
      return line;
    }
    const setting = /^(\s*)([^=#\s][^=]*?)(\s*=\s*)(.*?)(\r?)$/.exec(line);
    const target = setting && STAMPED.find((s) => s.stanza === stanza && s.key === setting[2]);
    if (!setting || !target) return line;
    const where = `[${target.stanza}] ${target.key}`;
    if (found.has(where)) throw new AppVersionError(`app.conf sets ${where} twice`);
    found.add(where);
    return `${setting[1]}${setting[2]}${setting[3]}${target.value(version)}${setting[5]}`;
  });
  const missing = STAMPED.map((s) => `[${s.stanza}] ${s.key}`).filter((where) => !found.has(where));
  if (missing.length > 0) throw new AppVersionError(`app.conf has no ${missing.join(', ')} for the pack to write the version into`);
  return lines.join('\n');
}
