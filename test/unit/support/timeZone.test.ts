import { describe, expect, it } from '@jest/globals';
import { canonicalTimeZone, isKnownTimeZone } from '../../../src/support/timeZone';

/** What Intl itself says of a zone: its canonical name, or null when it refuses the zone. */
function intlName(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

// The UTC spellings answered without Intl, zones that go through it, and names that are no zone at all.
const ZONES = ['UTC', 'utc', 'Utc', 'uTC', 'GMT', 'gmt', 'Gmt', 'Etc/UTC', 'etc/gmt', 'Europe/Berlin', 'europe/berlin',
  'America/New_York', 'Asia/Kolkata', 'UTC ', ' UTC', 'UTC+1', 'UT', 'Mars/Olympus', '', 'utcx', 'GMT0'];

describe('time zones', () => {
  it.each(ZONES)('canonicalTimeZone(%j) is the name Intl gives, or null when Intl refuses it', (zone) => {
    expect(canonicalTimeZone(zone)).toBe(intlName(zone));
  });

  it.each(ZONES)('isKnownTimeZone(%j) is whether Intl accepts it', (zone) => {
    expect(isKnownTimeZone(zone)).toBe(intlName(zone) !== null);
  });
});
