/** Client-credentials activity of one client for one audience on one tenant-day. */
export interface M2mBucket {
  readonly clientId: string;
  readonly audience: string;
  /** Whether Auth0 bills tokens for this audience (see AudiencePolicy). */
  readonly billable: boolean;
  m2mTokens: number;
  m2mTokenFailures: number;
  /** The latest non-empty client name by record date; "" while none was seen. */
  clientName: string;
  /** Record date (epoch ms) that `clientName` came from; -Infinity while none. */
  clientNameMs: number;
}

export function newM2mBucket(clientId: string, audience: string, billable: boolean): M2mBucket {
  return { clientId, audience, billable, m2mTokens: 0, m2mTokenFailures: 0, clientName: '', clientNameMs: -Infinity };
}

/**
 * Keeps the name of the latest record, ties broken by the lexicographically greatest name, so the result
 * depends only on the set of (date, name) pairs seen — never on the order records or objects arrive in.
 */
export function offerClientName(bucket: M2mBucket, name: string, dateMs: number): void {
  if (name === '') return;
  if (dateMs > bucket.clientNameMs || (dateMs === bucket.clientNameMs && name > bucket.clientName)) {
    bucket.clientName = name;
    bucket.clientNameMs = dateMs;
  }
}

/** Adds `from` into `into` (same client and audience). */
export function mergeM2mBucket(into: M2mBucket, from: M2mBucket): void {
  into.m2mTokens += from.m2mTokens;
  into.m2mTokenFailures += from.m2mTokenFailures;
  offerClientName(into, from.clientName, from.clientNameMs);
}

/** Orders buckets by client_id, then audience (code-unit order, the same on every machine). */
export function compareM2mBuckets(a: M2mBucket, b: M2mBucket): number {
  if (a.clientId !== b.clientId) return a.clientId < b.clientId ? -1 : 1;
  if (a.audience !== b.audience) return a.audience < b.audience ? -1 : 1;
  return 0;
}
