/** Recognises TLS handshake failures among socket errors and says what to do about each. */

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);
const WRONG_NAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED']);

/** What kind of TLS failure a code is: a CA not trusted, a certificate for another name, or one not valid now. */
export function tlsFailureKind(code: string): 'untrusted' | 'wrong-name' | 'out-of-date' | 'handshake' {
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (WRONG_NAME.has(code)) return 'wrong-name';
  if (OUT_OF_DATE.has(code)) return 'out-of-date';
  return 'handshake';
}

export function isTlsFailure(code: string | undefined, message: string): boolean {
  if (!code) return false;
  return (
    UNTRUSTED.has(code) ||
    WRONG_NAME.has(code) ||
    OUT_OF_DATE.has(code) ||
    code.startsWith('ERR_SSL_') ||
    (code === 'EPROTO' && /ssl|tls|version/i.test(message))
  );
}

/** One sentence naming the problem and the flag that fixes it. */
export function describeTlsFailure(code: string, rawDetail: string, target: string): string {
  // OpenSSL messages carry addresses and source paths: keep only the reason ("wrong version number").
  const detail = /routines:[^:]*:([^:\n]+)/.exec(rawDetail)?.[1] ?? rawDetail.split('\n')[0]!;
  switch (tlsFailureKind(code)) {
    case 'untrusted':
      return (
        `TLS: the certificate of ${target} is not trusted (${code}: ${detail}). ` +
        'Pass the CA bundle that signed it with --hec-ca FILE (or, for a test instance only, --hec-insecure).'
      );
    case 'wrong-name':
      return `TLS: the certificate of ${target} is not issued for that host name (${code}: ${detail}). Use the name on the certificate in --hec-url.`;
    case 'out-of-date':
      return `TLS: the certificate of ${target} is not valid now (${code}: ${detail}).`;
    case 'handshake':
      return `TLS handshake with ${target} failed (${code}: ${detail}). If HEC's TLS is off (enableSSL = 0), use an http:// URL.`;
  }
}
