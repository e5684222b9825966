import { quotaFigures, quotaLimit } from '../../../src/rollup/quotaFigures';
import { configWith } from '../state/stateTestKit';

describe('quotaFigures', () => {
  it('reports the highest threshold reached, compared exactly', () => {
    // February 2024 has 29 days.
    expect(quotaFigures('m2m_tokens_billable', 8, 10, '2024-02-01', [80, 100])).toEqual({ used: 8, limit: 10, percent_used: 80, projected_month_end: 232, threshold: 80 });
    expect(quotaFigures('m2m_tokens_billable', 11, 10, '2024-02-19', [80, 100])).toEqual({ used: 11, limit: 10, percent_used: 110, projected_month_end: 17, threshold: 100 });
    expect(quotaFigures('m2m_tokens_billable', 7, 10, '2024-02-19', [80, 100]).threshold).toBeNull();
    // 799 of 1000 is 79.9%: below 80 even though it would round to 80.
    expect(quotaFigures('m2m_tokens_billable', 799, 1000, '2024-02-19', [80, 100])).toMatchObject({ percent_used: 79.9, threshold: null });
    expect(quotaFigures('m2m_tokens_billable', 1, 3, '2024-04-30', [80, 100])).toEqual({ used: 1, limit: 3, percent_used: 33.33, projected_month_end: 1, threshold: null });
  });

  it('takes thresholds in any order', () => {
    expect(quotaFigures('m2m_tokens_billable', 95, 100, '2024-03-31', [100, 50, 90]).threshold).toBe(90);
    expect(quotaFigures('m2m_tokens_billable', 95, 100, '2024-03-31', []).threshold).toBeNull();
  });

  it('has no percentage or threshold without a limit, but still projects', () => {
    // 3 × 31 / 10 = 9.3
    expect(quotaFigures('m2m_tokens_billable', 3, null, '2024-03-10', [80, 100])).toEqual({ used: 3, limit: null, percent_used: null, projected_month_end: 9, threshold: null });
  });
});

describe('quotaFigures of monthly active users', () => {
  it('projects nothing: distinct users do not add up day by day', () => {
    // 100 users who log in every day of May against a limit of 150: a linear projection would be 100 × 31 / 5 = 620
    // on the 5th, past the limit the real MAU (100) never nears.
    expect(quotaFigures('active_users', 100, 150, '2024-05-05', [80, 100])).toEqual({ used: 100, limit: 150, percent_used: 66.67, projected_month_end: null, threshold: null });
    expect(quotaFigures('active_users', 3, null, '2024-03-10', [80, 100]).projected_month_end).toBeNull();
  });
});

describe('quotaLimit', () => {
  const quotas = configWith({ quotas: { m2m_tokens_billable: 1000, active_users: 70, tenants: { prod: { active_users: 7000 }, constructor: { m2m_tokens_billable: 5 } } } }).quotas;

  it('lets a tenant override one metric and inherit the other', () => {
    expect([quotaLimit(quotas, 'prod', 'active_users'), quotaLimit(quotas, 'prod', 'm2m_tokens_billable')]).toEqual([7000, 1000]);
    expect([quotaLimit(quotas, 'dev', 'active_users'), quotaLimit(quotas, 'dev', 'm2m_tokens_billable')]).toEqual([70, 1000]);
    expect(quotaLimit(quotas, 'constructor', 'm2m_tokens_billable')).toBe(5);
    expect(quotaLimit(configWith({ quotas: { tenants: { toString: {} } } }).quotas, 'hasOwnProperty', 'active_users')).toBeNull();
  });

  it('is null when nothing is configured (the default)', () => {
    expect(quotaLimit(configWith().quotas, 'prod', 'active_users')).toBeNull();
    expect(configWith().quotaThresholds).toEqual([80, 100]);
  });

  it('refuses limits that are not positive whole numbers, and unknown metrics', () => {
    expect(() => configWith({ quotas: { active_users: 0 } })).toThrow();
    expect(() => configWith({ quotas: { active_users: 1.5 } })).toThrow();
    expect(() => configWith({ quotas: { logins: 5 } })).toThrow();
    expect(() => configWith({ quotaThresholds: [-1] })).toThrow();
  });
});
