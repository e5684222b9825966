/**
 * Text that came from a server (an S3 or HEC error message) or from an operator's URL, made safe to print, log and
 * write into the run event: anything that looks like a credential, a signature or a token is replaced, and the text
 * is cut short. A hostile or misconfigured endpoint may echo the request's headers back in its error message.
 */

const REDACTED = '[redacted]';
/** Longest server message kept: enough for a reason, too short for a dump of headers. */
export const MAX_ERROR_TEXT = 200;

/** Environment variables whose values are secrets wherever they turn up. */
const SECRET_ENV_VARS = ['AWS_SESSION_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'AWS_SECURITY_TOKEN', 'SPLUNK_HEC_TOKEN', 'AUTH0_USAGE_HEC_TOKEN', 'AUTH0_USAGE_AUTH0_CLIENT_SECRET', 'AUTH0_CLIENT_SECRET'];

const PATTERNS: Array<[RegExp, string]> = [
  // XML elements that carry the signed request (S3's SignatureDoesNotMatch, or an endpoint echoing headers).
  [/<(Authorization|X-Amz-Security-Token|X-Amz-Credential|X-Amz-Signature|SignatureProvided|StringToSign(?:Bytes)?|CanonicalRequest(?:Bytes)?|AWSAccessKeyId)>[^<]*<\/\1>/gi, `<$1>${REDACTED}</$1>`],
  // A whole Authorization header value (AWS4-HMAC-SHA256 ..., Splunk <token>, Basic ..., Bearer ...).
  [/(authorization["']?\s*[:=]\s*["']?)[^"'\n<>]*/gi, `$1${REDACTED}`],
  [/\b(Splunk|Bearer|Basic)\s+[A-Za-z0-9+/=._~-]{8,}/g, `$1 ${REDACTED}`],
  // SigV4 pieces in headers and presigned query strings.
  [/\b((?:X-Amz-)?(?:Signature|Credential|Security-Token|SignedHeaders))(\s*[=:]\s*)[^\s,&"'<>]+/gi, `$1$2${REDACTED}`],
  // name=value or "name": "value" where the name says it is secret.
  [/\b([A-Za-z_-]*(?:token|secret|password|passwd|session)[A-Za-z_-]*["']?\s*[:=]\s*["']?)[^\s,&"'<>]+/gi, `$1${REDACTED}`],
  // user:password@ in URLs.
  [/(\/\/)[^/\s:@]+:[^/\s@]*@/g, `$1${REDACTED}@`],
  // Long opaque runs of letters and digits (session tokens, secret keys, signatures); not plain digits (log_ids).
  [/(?=[A-Za-z0-9+/_-]*[A-Za-z])(?=[A-Za-z0-9+/_-]*[0-9])[A-Za-z0-9+/_-]{32,}={0,2}/g, REDACTED],
];

/** `text` with every occurrence of one known secret (a token, a client secret) replaced; '' is no secret. */
export function withoutSecret(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join(REDACTED);
}

/** `text` with the values of the secret environment variables and anything shaped like a credential replaced. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const name of SECRET_ENV_VARS) {
    const value = env[name];
    if (value !== undefined && value.length >= 8) out = withoutSecret(out, value);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A server's error reduced to its code and a short, redacted message: "Code: message". */
export function serverErrorText(code: string | number | undefined, message: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const safe = redactSecrets((message ?? '').replace(/\s+/g, ' ').trim(), env);
  const short = safe.length > MAX_ERROR_TEXT ? `${safe.slice(0, MAX_ERROR_TEXT)}…` : safe;
  const head = code === undefined || code === '' ? '' : String(code);
  return head && short ? `${head}: ${short}` : head || short;
}
