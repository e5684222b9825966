/** The HEC base URL given with --hec-url: scheme, host, port and an optional path prefix. */
import { redactSecrets } from '../../support/errorText';
import { HecUsageError } from './hecErrors';

/**
 * Parses and checks the base URL. A URL that already names a collector endpoint
 * (…/services/collector/event) is cut back to its base, since the endpoints are added per request.
 */
export function parseHecBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HecUsageError(`--hec-url is not a URL: ${redactSecrets(text)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HecUsageError(`--hec-url must start with https:// or http://, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new HecUsageError('--hec-url must not contain credentials: the token comes from SPLUNK_HEC_TOKEN');
  }
  if (url.search || url.hash) {
    throw new HecUsageError('--hec-url must not have a query string or fragment');
  }
  url.pathname = url.pathname.replace(/\/services\/collector(\/.*)?$/, '').replace(/\/+$/, '');
  return url;
}

/** The URL as shown in messages: origin plus prefix, never anything secret (it holds none). */
export function displayHecUrl(url: URL): string {
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
}
