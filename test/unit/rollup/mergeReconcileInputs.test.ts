/** Reconcile inputs of a run's checkpoint passes add up: days joined, a later pass's day counts win. */
import { mergeReconcileInputs, type ReconcileInputs } from '../../../src/rollup/summaryPass';

const counts = (logins: number, signups = 0, breached_passwords = 0) => ({ logins, signups, breached_passwords });

test('days are joined in order, later counts supersede, unknown days become known once counted', () => {
  const all = new Map<string, ReconcileInputs>();
  mergeReconcileInputs(all, new Map([['acme', { days: ['2024-05-02'], counts: new Map([['2024-05-02', counts(3)], ['2024-05-03', counts(1)]]), unknown: new Set(['2024-05-04']) }]]));
  mergeReconcileInputs(
    all,
    new Map([
      ['acme', { days: ['2024-05-01', '2024-05-03'], counts: new Map([['2024-05-03', counts(4, 1)], ['2024-05-04', counts(2)]]), unknown: new Set<string>(), activeUsers30d: { day: '2024-05-03', mau30d: 9 } }],
      ['globex', { days: ['2024-05-03'], counts: new Map([['2024-05-03', counts(1)]]), unknown: new Set<string>() }],
    ]),
  );
  const acme = all.get('acme')!;
  expect(acme.days).toEqual(['2024-05-01', '2024-05-02', '2024-05-03']);
  expect(Object.fromEntries(acme.counts)).toEqual({ '2024-05-02': counts(3), '2024-05-03': counts(4, 1), '2024-05-04': counts(2) });
  expect([...acme.unknown]).toEqual([]);
  expect(acme.activeUsers30d).toEqual({ day: '2024-05-03', mau30d: 9 });
  expect(all.get('globex')!.days).toEqual(['2024-05-03']);
});
