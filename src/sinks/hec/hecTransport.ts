import { Auth0UsageError } from '../../support/errors';

/**
 * The HTTP layer under the delivery policy. The policy (batching, retries, acks, spool) is ours; a
 * transport only performs one request and reports what came back, so it can be swapped.
 */

export const HEC_EVENT_PATH = '/services/collector/event';
export const HEC_ACK_PATH = '/services/collector/ack';
export const HEC_HEALTH_PATH = '/services/collector/health';

export interface HecResponse {
  status: number;
  /** Parsed JSON when the reply was JSON, else the raw text (a proxy's HTML page, an empty body). */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface HecTransport {
  /** POSTs `body` to `path` (under the base URL) with the token and `headers`. */
  post(path: string, body: string, headers: Record<string, string>): Promise<HecResponse>;
  /** GETs `path` without the token (the health endpoint needs none). */
  get(path: string): Promise<HecResponse>;
}

/**
 * What to say after a connection to `url` failed with `code`, when it is a reset one to an http:// URL: a HEC port
 * with TLS on (Splunk's default) drops plain HTTP without a reply, which otherwise reads as a network fault.
 */
export function httpToTlsHint(url: URL, code: string | undefined): string | undefined {
  return url.protocol === 'http:' && code === 'ECONNRESET' ? "if HEC's TLS is on (enableSSL = 1, Splunk's default), use an https:// URL" : undefined;
}

/**
 * The request did not produce an HTTP reply: refused, reset, timed out, or the TLS handshake failed.
 * Transports reject with this so the policy can tell TLS failures (fatal) from network ones (retried).
 */
export class HecTransportError extends Auth0UsageError {
  static override readonly code: string = 'ERR_HEC_TRANSPORT';
  constructor(
    message: string,
    /** Node's error code (ECONNRESET, DEPTH_ZERO_SELF_SIGNED_CERT, …) when there was one. */
    readonly osCode: string | undefined,
    readonly tls: boolean,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/** Parses a reply body: JSON when it is JSON, else the text itself. */
export function parseReplyBody(raw: Buffer | string): unknown {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  return text;
}
