import { ActiveUsersWindow, ActiveUsersWindowError, lastDependentDay, windowStart } from '../../../src/rollup/activeUsersWindow';
import { addDays, daysBetween, daysInMonth, dayOfMonth, firstOfMonth, lastOfMonth, monthOf } from '../../../src/rollup/calendarDay';

describe('day label arithmetic', () => {
  it('crosses months, leap days and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2024-03-01', -30)).toBe('2024-01-31');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(daysBetween('2024-01-20', '2024-02-19')).toBe(30);
    expect([daysInMonth('2024-02-10'), daysInMonth('2023-02-10'), daysInMonth('2024-04-30'), daysInMonth('2024-12-01')]).toEqual([29, 28, 30, 31]);
    expect([dayOfMonth('2024-02-09'), firstOfMonth('2024-02-09'), monthOf('2024-02-09')]).toEqual([9, '2024-02-01', '2024-02']);
  });

  it('a window starts 29 days back or at the 1st of the month, whichever is earlier', () => {
    expect(windowStart('2024-02-19')).toBe('2024-01-21');
    expect(windowStart('2024-03-31')).toBe('2024-03-01'); // 29 days back is 03-02
    expect(windowStart('2024-03-30')).toBe('2024-03-01');
  });

  it('the days that depend on a day end 29 days later or at its month end, whichever is later', () => {
    expect([lastOfMonth('2024-02-03'), lastOfMonth('2023-02-03'), lastOfMonth('2024-12-31')]).toEqual(['2024-02-29', '2023-02-28', '2024-12-31']);
    expect(lastDependentDay('2024-03-01')).toBe('2024-03-31'); // 29 days later is 03-30
    expect(lastDependentDay('2024-03-20')).toBe('2024-04-18');
  });
});

describe('ActiveUsersWindow', () => {
  it('counts 30 days back across a month boundary, and the calendar month from its 1st', () => {
    const window = new ActiveUsersWindow();
    // Worked by hand: the window of D is [D-29, D].
    expect(window.add('2024-01-20', ['u1', 'u2'])).toEqual({ dau: 2, mau30d: 2, mauMonth: 2 });
    expect(window.add('2024-01-31', ['u3'])).toEqual({ dau: 1, mau30d: 3, mauMonth: 3 });
    // February starts a new month; u1 is still in the 30-day window.
    expect(window.add('2024-02-01', ['u1'])).toEqual({ dau: 1, mau30d: 3, mauMonth: 1 });
    // [01-20, 02-18]: u1 u2 u3 u4.
    expect(window.add('2024-02-18', ['u4'])).toEqual({ dau: 1, mau30d: 4, mauMonth: 2 });
    // [01-21, 02-19]: 01-20 (u1 u2) left; u1 stays through 02-01, u2 is gone.
    expect(window.add('2024-02-19', ['u3', 'u6'])).toEqual({ dau: 2, mau30d: 4, mauMonth: 4 });
    expect(window.daysHeld).toBe(4);
  });

  it('holds only the days of the window', () => {
    const window = new ActiveUsersWindow();
    for (let i = 0; i < 90; i++) window.add(addDays('2024-01-01', i), [`u${i}`]);
    expect(window.daysHeld).toBe(30);
    // 2024-03-30: the last 30 users; the month so far is March 1..30.
    expect(window.add('2024-03-31', ['u0'])).toEqual({ dau: 1, mau30d: 30, mauMonth: 31 });
  });

  it('refuses days out of order', () => {
    const window = new ActiveUsersWindow();
    window.add('2024-01-02', []);
    expect(() => window.add('2024-01-02', [])).toThrow(ActiveUsersWindowError);
    expect(() => window.add('2024-01-01', [])).toThrow(ActiveUsersWindowError);
  });
});
