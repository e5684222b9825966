import { type AudiencePattern, MAX_MATCHED_AUDIENCE_LENGTH, compileAudiencePattern } from '../config/audiencePattern';

/** Distinct audiences whose answer is remembered; past this the memo starts again (audiences come from the logs). */
const MEMO_LIMIT = 10_000;

/**
 * Decides which client-credentials tokens Auth0 bills: those whose audience matches none of the configured
 * non-billable patterns (by default the tenant's Management API, `https://<tenant>.<region>.auth0.com/api/v2/`).
 * An audience longer than MAX_MATCHED_AUDIENCE_LENGTH is not matched and counts as billable: no API identifier is
 * that long, and counting a token is the safe side of a quota.
 */
export class AudiencePolicy {
  private readonly patterns: readonly AudiencePattern[];
  // A tenant has few audiences, so each is tested against the patterns once.
  private readonly billableByAudience = new Map<string, boolean>();

  constructor(nonBillableAudiences: readonly string[]) {
    this.patterns = nonBillableAudiences.map(compileAudiencePattern);
  }

  isBillable(audience: string): boolean {
    if (audience.length > MAX_MATCHED_AUDIENCE_LENGTH) return true;
    let billable = this.billableByAudience.get(audience);
    if (billable === undefined) {
      billable = !this.patterns.some((pattern) => pattern.test(audience));
      if (this.billableByAudience.size >= MEMO_LIMIT) this.billableByAudience.clear();
      this.billableByAudience.set(audience, billable);
    }
    return billable;
  }
}
