import { AudiencePolicy } from '../../../src/rollup/audiencePolicy';
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
