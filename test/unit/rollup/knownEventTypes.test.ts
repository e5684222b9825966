import { isKnownEventType, KNOWN_EVENT_TYPES } from '../../../src/rollup/knownEventTypes';
import { CATEGORY_NAMES } from '../../../src/config/schema';
import { defaultConfig } from './rollupTestKit';

describe('KNOWN_EVENT_TYPES', () => {
  it('holds the 165 codes of the docs table plus the 21 codes only listed as undocumented (§1.4 adds none)', () => {
    // Counted in auth0-logs.md: 165 rows in §1.2; §1.3 names 21 codes, none of them in §1.2
    // (sdeleacft/fdeleacft are schema-only); every §1.4 logTypes.js code appears in §1.2 or §1.3.
    expect(KNOWN_EVENT_TYPES.size).toBe(186);
  });

  it.each([
    ['acls_summary', '§1.2 first row'],
    ['wum', '§1.2 last row'],
    ['gd_webauthn_enrollment_failed', '§1.2'],
    ['success_on_behalf_of_token_exchange', '§1.2'],
    ['sdel', '§1.3'],
    ['token_quota_consumption_warning', '§1.3'],
    ['sys_os_update_end', '§1.3 / §1.4 (written "sys_os_update_start/end" in §1.4)'],
    ['limit_ui', '§1.3 / §1.4'],
    ['gd_user_delete', '§1.3 / §1.4'],
  ])('knows %s (%s)', (code) => {
    expect(isKnownEventType(code)).toBe(true);
  });

  it.each(['api', 'LOG_LEVEL', 'S', 'seccft ', '', 'zz_new_code'])('does not know %j', (code) => {
    expect(isKnownEventType(code)).toBe(false);
  });

  it('knows every code the default configuration counts', () => {
    const configured = CATEGORY_NAMES.flatMap((name) => defaultConfig.categories[name]);
    expect(configured.filter((code) => !isKnownEventType(code))).toEqual([]);
  });
});
