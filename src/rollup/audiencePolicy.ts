/**
 * Decides which client-credentials tokens Auth0 bills: those whose audience matches none of the configured
 * non-billable patterns (by default the tenant's Management API, `https://<tenant>.<region>.auth0.com/api/v2/`).
 */
export class AudiencePolicy {
  private readonly patterns: readonly RegExp[];
  // A tenant has few audiences, so each is tested against the patterns once.
  private readonly billableByAudience = new Map<string, boolean>();

  constructor(nonBillableAudiences: readonly string[]) {
    this.patterns = nonBillableAudiences.map((source) => new RegExp(source));
  }

  isBillable(audience: string): boolean {
    let billable = this.billableByAudience.get(audience);
    if (billable === undefined) {
      billable = !this.patterns.some((pattern) => pattern.test(audience));
      this.billableByAudience.set(audience, billable);
    }
    return billable;
  }
}
