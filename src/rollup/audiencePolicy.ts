import { type AudiencePattern, MAX_MATCHED_AUDIENCE_LENGTH, compileAudiencePattern } from '../config/audiencePattern';

/**
 * Characters of audiences whose answer is remembered; past this the memo starts again (audiences come from the logs,
 * so the bound is on their text, not their count). 8 M characters hold the Management API audience of each of a
 * fleet of 100 000 tenants, and 8 000 audiences of the longest length matched.
 */
export const MEMO_CHARS = 8 * 1024 * 1024;

/**
 * Decides which client-credentials tokens Auth0 bills: those whose audience matches none of the configured
 * non-billable patterns (by default the tenant's Management API, `https://<tenant>.<region>.auth0.com/api/v2/`).
 * An audience longer than MAX_MATCHED_AUDIENCE_LENGTH is not matched and counts as billable: no API identifier is
 * that long, and counting a token is the safe side of a quota.
 */
export class AudiencePolicy {
  private readonly patterns: readonly AudiencePattern[];
  // Each audience is tested against the patterns once: a fleet of tenants has one Management API audience each.
  private readonly billableByAudience = new Map<string, boolean>();
  private memoChars = 0;
  /** Audiences tested against the patterns (not answered from the memo). */
  tested = 0;

  constructor(nonBillableAudiences: readonly string[]) {
    this.patterns = nonBillableAudiences.map(compileAudiencePattern);
  }

  isBillable(audience: string): boolean {
    if (audience.length > MAX_MATCHED_AUDIENCE_LENGTH) return true;
    let billable = this.billableByAudience.get(audience);
    if (billable === undefined) {
      this.tested++;
      billable = !this.patterns.some((pattern) => pattern.test(audience));
      if (this.memoChars + audience.length > MEMO_CHARS) {
        this.billableByAudience.clear();
        this.memoChars = 0;
      }
      this.billableByAudience.set(audience, billable);
      this.memoChars += audience.length;
    }
    return billable;
  }
}
