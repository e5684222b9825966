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
