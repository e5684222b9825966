/** What an S3 client's failure says about the network, for the source's and the state's messages alike. */

/** No answer at all: the name does not resolve, or nothing listens there (unlike a connection lost midway). */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The errno-style code of a failure (`ECONNREFUSED`, `ERR_…`), '' when none: its `code`, else one its message names
 * (a network error the SDK had to re-wrap, one from another JS realm, keeps its code only there).
 */
export function networkCodeOf(error: { code?: string; message?: string }): string {
  return error.code ?? /\b(E[A-Z]{3,}|ERR_[A-Z_]+)\b/.exec(error.message ?? '')?.[1] ?? '';
}

/**
 * The message for a failure in UNREACHABLE_CODES: the endpoint (undefined: AWS's own), what was asked for when the
 * message does not say it already, and what to check.
 */
export function cannotReachText(endpoint: string | undefined, code: string, where?: string): string {
  return `cannot reach ${endpoint ?? 'the AWS S3 endpoint'}${where === undefined ? '' : ` for ${where}`}: ${code}; check --s3-endpoint / AWS_ENDPOINT_URL_S3 and the network`;
}
