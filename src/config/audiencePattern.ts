import { RE2JS } from 're2js';

/**
 * Audiences come from the logs, and a failed token request writes whatever audience its caller sent: patterns are
 * matched by RE2 (time linear in the audience's length, whatever the pattern), and only this many characters are
 * looked at. Real API identifiers are short URLs.
 */
export const MAX_MATCHED_AUDIENCE_LENGTH = 1024;

/** A configured audience pattern, compiled by RE2; throws on syntax RE2 does not accept. */
export interface AudiencePattern {
  test(audience: string): boolean;
}

/**
 * Each pattern is compiled once per process: the config's check compiles it, and so does every AudiencePolicy built
 * from that config (compiling is most of the cost of RE2 at start-up). A compiled RE2 pattern holds no match state.
 */
const compiledBySource = new Map<string, AudiencePattern>();

export function compileAudiencePattern(source: string): AudiencePattern {
  let pattern = compiledBySource.get(source);
  if (pattern === undefined) {
    const compiled = RE2JS.compile(source);
    // test() asks whether the pattern is found anywhere, as matcher().find() does, without a Matcher and its capture
    // groups: a third of the time on a fleet of tenants whose audiences are each tested once.
    pattern = { test: (audience) => compiled.test(audience) };
    compiledBySource.set(source, pattern);
  }
  return pattern;
}
