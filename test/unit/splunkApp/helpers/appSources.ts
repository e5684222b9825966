/**
 * Loads the Splunk app from config/splunk/auth0_usage and collects every SPL string it (and the analysts'
 * docs) contains, each labelled with where it came from.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfFile, parseConf } from '../../../../src/splunkApp/confFile';
import { childNamed, parseXml, textOf, XmlElement } from './xmlTree';

export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
export const APP_DIR = join(REPO_ROOT, 'config', 'splunk', 'auth0_usage');
export const DASHBOARD_PATH = join(APP_DIR, 'default', 'data', 'ui', 'views', 'auth0_usage_overview.xml');
export const ANALYSTS_DOC_PATH = join(REPO_ROOT, 'docs', 'analysts.md');

/** The analysts' guide, whole. */
export function analystsSection(): string {
  return readFileSync(ANALYSTS_DOC_PATH, 'utf8');
}

export interface SplSource {
  /** Where the SPL is, e.g. `savedsearches.conf [name]`. */
  readonly origin: string;
  readonly spl: string;
}

/** Paths relative to the app folder of every file in it, sorted. */
export function appFilePaths(dir = APP_DIR): string[] {
  const walk = (current: string): string[] =>
    readdirSync(current)
      .sort()
      .flatMap((name) => {
        const path = join(current, name);
        return statSync(path).isDirectory() ? walk(path) : [relative(dir, path).split('\\').join('/')];
      });
  return walk(dir);
}

export function loadConf(relativePath: string): ConfFile {
  return parseConf(readFileSync(join(APP_DIR, relativePath), 'utf8'), relativePath);
}

export function loadDashboard(): XmlElement {
  return parseXml(readFileSync(DASHBOARD_PATH, 'utf8'));
}

export function savedSearchSources(): SplSource[] {
  return [...loadConf('default/savedsearches.conf').values()].map((stanza) => ({
    origin: `savedsearches.conf [${stanza.name}]`,
    spl: stanza.settings.get('search')?.value ?? '',
  }));
}

/** Each <search><query> of the dashboard, labelled by its panel title (or input label). */
export function dashboardSources(dashboard = loadDashboard()): SplSource[] {
  const sources: SplSource[] = [];
  const visit = (element: XmlElement, label: string): void => {
    const title = childNamed(element, 'title') ?? childNamed(element, 'label');
    const here = title ? textOf(title) : label;
    if (element.name === 'search') {
      const query = childNamed(element, 'query');
      sources.push({ origin: `dashboard "${here}"`, spl: query ? textOf(query).trim() : '' });
    }
    for (const child of element.children) if (typeof child !== 'string') visit(child, here);
  };
  visit(dashboard, 'dashboard');
  return sources;
}

/** The ```spl code blocks of the analysts' doc. */
export function docSources(markdown = analystsSection()): SplSource[] {
  return [...markdown.matchAll(/```spl\n([\s\S]*?)```/g)].map((match, i) => ({
    origin: `${relative(REPO_ROOT, ANALYSTS_DOC_PATH)} search ${i + 1}`,
    spl: match[1].trim(),
  }));
}

