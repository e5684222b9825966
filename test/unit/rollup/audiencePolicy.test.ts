import { RE2JS } from 're2js';
import { AudiencePolicy, MEMO_CHARS } from '../../../src/rollup/audiencePolicy';
import { defaultConfig } from './rollupTestKit';

describe('AudiencePolicy', () => {
  const policy = new AudiencePolicy(defaultConfig.nonBillableAudiences);

  it.each([
    ['https://acme.eu.auth0.com/api/v2/', false],
    ['https://acme.eu.auth0.com/api/v2', false],
    ['https://acme.auth0.com/api/v2/', false],
    ['https://api.acme.com', true],
    ['https://acme.eu.auth0.com/api/v2/users', true],
    ['https://login.acme.com/api/v2/', true],
    ['https://acme.eu.auth0.com.evil.example/api/v2/', true],
    ['', true],
  ])('%j billable: %s', (audience, billable) => {
    expect(policy.isBillable(audience)).toBe(billable);
    // A second look-up (answered from the cache) agrees.
    expect(policy.isBillable(audience)).toBe(billable);
  });

  it('treats every configured pattern as non-billable', () => {
    const custom = new AudiencePolicy(['^https://login\\.acme\\.com/api/v2/$', '^urn:internal:']);
    expect(custom.isBillable('https://login.acme.com/api/v2/')).toBe(false);
    expect(custom.isBillable('urn:internal:billing')).toBe(false);
    expect(custom.isBillable('https://acme.eu.auth0.com/api/v2/')).toBe(true);
  });

  it('bills everything when no pattern is configured', () => {
    expect(new AudiencePolicy([]).isBillable('https://acme.eu.auth0.com/api/v2/')).toBe(true);
  });
});

describe('AudiencePolicy memo', () => {
  const managementApi = (i: number) => `https://tenant${i}.eu.auth0.com/api/v2/`;

  it('tests each audience of a fleet of 20,000 tenants once, however often it comes back', () => {
    const policy = new AudiencePolicy(defaultConfig.nonBillableAudiences);
    let billable = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20_000; i++) if (policy.isBillable(managementApi(i))) billable++;
    }
    expect([policy.tested, billable]).toEqual([20_000, 0]);
  });

  it('keeps at most MEMO_CHARS characters of audiences: past them it starts again', () => {
    const policy = new AudiencePolicy(defaultConfig.nonBillableAudiences);
    // 1,000-character audiences: 8,388 fit in 8,388,608 characters; the 8,389th clears the memo and is kept alone.
    const long = (i: number) => `urn:${String(i).padStart(6, '0')}:${'x'.repeat(1000 - 11)}`;
    expect(long(0)).toHaveLength(1000);
    expect(Math.floor(MEMO_CHARS / 1000)).toBe(8388);
    let billable = 0;
    for (let i = 0; i < 8389; i++) if (policy.isBillable(long(i))) billable++;
    expect([policy.tested, billable]).toEqual([8389, 8389]);
    // The last one is remembered; the first was forgotten with the rest.
    policy.isBillable(long(8388));
    expect(policy.tested).toBe(8389);
    policy.isBillable(long(0));
    expect(policy.tested).toBe(8390);
  });
});

describe('audience patterns', () => {
  it('are tested without making a Matcher, with the answers of a search anywhere in the audience', () => {
    const matchers = jest.spyOn(RE2JS.prototype, 'matcher');
    try {
      const policy = new AudiencePolicy(['auth0\\.com/api', '^urn:a$']);
      const answers = ['https://x.auth0.com/api/v2/', 'auth0.com/api', 'urn:a', 'urn:ab', 'xurn:a', ''].map((a) => policy.isBillable(a));
      // Unanchored patterns match anywhere (as a search does); anchored ones only the whole audience.
      expect(answers).toEqual([false, false, false, true, true, true]);
      expect(matchers).not.toHaveBeenCalled();
    } finally {
      matchers.mockRestore();
    }
  });
});
