import { reconcileCounts, reconcileDays, reconcileFigure, type LogDayCounts } from '../../../src/rollup/reconcile';

// Figures chosen by hand; each expected delta_percent is worked out in the comment beside it.
const ours = new Map<string, LogDayCounts>([
  ['2024-01-14', { logins: 100, signups: 10, breached_passwords: 0 }],
  ['2024-01-15', { logins: 98, signups: 5, breached_passwords: 1 }],
  ['2024-01-16', { logins: 50, signups: 2, breached_passwords: 3 }],
  ['2024-01-17', { logins: 101, signups: 0, breached_passwords: 0 }],
  ['2024-01-19', { logins: 7, signups: 1, breached_passwords: 0 }],
]);
const auth0 = [
  { day: '2024-01-14', logins: 100, signups: 10, leaked_passwords: 0 },
  { day: '2024-01-15', logins: 100, signups: 4, leaked_passwords: 1 },
  { day: '2024-01-16', logins: 80, signups: 2, leaked_passwords: 0 },
  { day: '2024-01-17', logins: 99, signups: 0 }, // no breached-password subscription: no leaked_passwords
  { day: '2024-01-18', logins: 12, signups: 0, leaked_passwords: 0 }, // our archives have nothing of this day
  // 2024-01-19: Auth0 has no row
];
const days = ['2024-01-19', '2024-01-14', '2024-01-15', '2024-01-16', '2024-01-17', '2024-01-18'];

test('every status, with deltas and percentages worked out by hand', () => {
  const rows = reconcileDays('acme-prod', days, ours, auth0, 2).map((r) => [r.day, r.metric, r.logs, r.auth0, r.delta, r.delta_percent, r.status]);
  expect(rows).toEqual([
    ['2024-01-14', 'logins', 100, 100, 0, 0, 'match'],
    ['2024-01-14', 'signups', 10, 10, 0, 0, 'match'],
    ['2024-01-14', 'breached_passwords', 0, 0, 0, null, 'match'],
    ['2024-01-15', 'logins', 98, 100, -2, -2, 'within_tolerance'], // -2/100: on the 2 % line, inside
    ['2024-01-15', 'signups', 5, 4, 1, 25, 'mismatch'], // 1/4
    ['2024-01-15', 'breached_passwords', 1, 1, 0, 0, 'match'],
    ['2024-01-16', 'logins', 50, 80, -30, -37.5, 'mismatch'], // -30/80
    ['2024-01-16', 'signups', 2, 2, 0, 0, 'match'],
    ['2024-01-16', 'breached_passwords', 3, 0, 3, null, 'mismatch'], // Auth0 says 0: no base for a percentage
    ['2024-01-17', 'logins', 101, 99, 2, 2.02, 'mismatch'], // 2/99 = 2.0202…: just outside 2 %
    ['2024-01-17', 'signups', 0, 0, 0, null, 'match'],
    ['2024-01-17', 'breached_passwords', 0, null, null, null, 'missing_auth0'],
    ['2024-01-18', 'logins', 0, 12, -12, -100, 'missing_logs'],
    ['2024-01-18', 'signups', 0, 0, 0, null, 'match'],
    ['2024-01-18', 'breached_passwords', 0, 0, 0, null, 'match'],
    ['2024-01-19', 'logins', 7, null, null, null, 'missing_auth0'],
    ['2024-01-19', 'signups', 1, null, null, null, 'missing_auth0'],
    ['2024-01-19', 'breached_passwords', 0, null, null, null, 'missing_auth0'],
  ]);
});

test('rows carry the tenant and the tolerance used', () => {
  const [row] = reconcileDays('acme-prod', ['2024-01-15'], ours, auth0, 5);
  expect(row).toEqual({
    tenant: 'acme-prod',
    day: '2024-01-15',
    metric: 'logins',
    logs: 98,
    auth0: 100,
    delta: -2,
    delta_percent: -2,
    tolerance_percent: 5,
    status: 'within_tolerance',
  });
});

test('active users over 30 days: 4321 against 4400 is -1.8 %, within 2 %', () => {
  // -79 / 4400 = -0.017954… → -1.8 %
  expect(reconcileFigure('acme-prod', '2024-01-18', 'active_users_30d', 4321, 4400, 2)).toMatchObject({ delta: -79, delta_percent: -1.8, status: 'within_tolerance' });
  expect(reconcileFigure('acme-prod', '2024-01-18', 'active_users_30d', 4321, undefined, 2).status).toBe('missing_auth0');
});

test('our counts per metric come from the documented event types', () => {
  const types = new Map([
    ['s', 40],
    ['scoa', 5], // cross-origin logins are not what stats/daily calls logins
    ['ss', 3],
    ['fs', 9],
    ['pwd_leak', 2],
    ['signup_pwd_leak', 1],
    ['reset_pwd_leak', 1],
  ]);
  expect(reconcileCounts(types)).toEqual({ logins: 40, signups: 3, breached_passwords: 4 });
});
