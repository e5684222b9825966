import { Auth0UsageError } from '../../support/errors';

/**
 * Errors the HEC sink and `hec-check` raise. Messages never contain the token: they are built from
 * status codes, HEC codes and option values only.
 */

/** Base class; `exitCode` is what the CLI exits with when this error stops a run. */
export class HecError extends Auth0UsageError {
  static override readonly code: string = 'ERR_HEC';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad flags or environment (no token, malformed URL, unreadable CA file): exit 2. */
export class HecUsageError extends HecError {
  static override readonly code: string = 'ERR_HEC_USAGE';
  static override readonly exitCode: 1 | 2 = 2;
}

/** What HEC refused: the operator must fix the token, the index, the channel setting or the URL. */
export type HecRejectionKind = 'token' | 'index' | 'channel' | 'ack' | 'request' | 'endpoint';

/**
 * HEC refused a request for a reason a retry cannot fix (HTTP 400/401/403, 404, a reply that is not
 * from HEC). Stops the run at once; the undelivered events are spooled first.
 */
export class HecRejectedError extends HecError {
  static override readonly code: string = 'ERR_HEC_REJECTED';
  constructor(
    message: string,
    readonly kind: HecRejectionKind,
    readonly status: number,
    /** HEC's `code`, when the reply carried one. */
    readonly hecCode?: number,
  ) {
    super(message);
  }
}

/** The TLS handshake failed (untrusted or mismatched certificate, TLS against a plain-HTTP port). */
export class HecTlsError extends HecError {
  static override readonly code: string = 'ERR_HEC_TLS';
  constructor(
    message: string,
    /** Node's error code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT. */
    readonly tlsCode: string,
  ) {
    super(message);
  }
}

/** The spool directory could not be written: events would be lost, so the run stops. */
export class HecSpoolError extends HecError {
  static override readonly code: string = 'ERR_HEC_SPOOL';
}
