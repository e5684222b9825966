import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Server-side AWS Signature V4 check for header-signed requests, written from the AWS spec
 * ("Create a signed AWS API request") so the tests do not trust the SDK's own signer.
 * s3rver 3.7.1 only looks the access key id up and accepts any V4 signature; this makes a wrong
 * secret fail the way real S3 does (403 SignatureDoesNotMatch).
 */
export interface SignedRequest {
  method: string;
  /** The raw request target: path and query exactly as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export type SigV4Verdict =
  | { ok: true; accessKeyId: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown-key' | 'mismatch'; accessKeyId?: string };

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

// RFC 3986 unreserved characters stay; everything else is %XX (as SigV4 requires).
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1));
      return [uriEncode(key), uriEncode(value)] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function header(headers: SignedRequest['headers'], name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(',') : value ?? '').trim().replace(/\s+/g, ' ');
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

export function verifySigV4(request: SignedRequest, secrets: ReadonlyMap<string, string>): SigV4Verdict {
  const authorization = header(request.headers, 'authorization');
  if (!authorization) return { ok: false, reason: 'missing' };
  const m = AUTH.exec(authorization);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, accessKeyId, day, region, service, signedHeaders, signature] = m;
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) return { ok: false, reason: 'unknown-key', accessKeyId };

  const q = request.url.indexOf('?');
  // S3 signs the path as sent (already URI-encoded once), unlike other services.
  const path = q === -1 ? request.url : request.url.slice(0, q);
  const query = q === -1 ? '' : request.url.slice(q + 1);
  const names = signedHeaders.split(';');
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery(query),
    ...names.map((name) => `${name}:${header(request.headers, name)}`),
    '',
    signedHeaders,
    header(request.headers, 'x-amz-content-sha256') || 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const amzDate = header(request.headers, 'x-amz-date');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? { ok: true, accessKeyId }
    : { ok: false, reason: 'mismatch', accessKeyId };
}
