import { addDays, earlierDay, firstOfMonth, lastOfMonth, laterDay, monthOf } from './calendarDay';
import { Auth0UsageError } from '../support/errors';

/** Length of the rolling window of `mau_30d`, what the Management API's `stats/active-users` reports. */
export const MAU_WINDOW_DAYS = 30;

export interface ActiveUsersFigures {
  /** Distinct active users of the day. */
  dau: number;
  /** Distinct active users of the 30 days ending on the day. */
  mau30d: number;
  /** Distinct active users from the 1st of the month through the day. */
  mauMonth: number;
}

/** Thrown when days are not fed in ascending order. */
export class ActiveUsersWindowError extends Auth0UsageError {
  static override readonly code: string = 'ERR_ACTIVE_USERS_WINDOW';
  static override readonly internal = true;
}

/** The first day either window of `day` reaches back to: data from there on makes both windows complete. */
export function windowStart(day: string): string {
  return earlierDay(thirtyDayStart(day), firstOfMonth(day));
}

/** The first day of `day`'s 30-day window (mau_30d). */
export function thirtyDayStart(day: string): string {
  return addDays(day, -(MAU_WINDOW_DAYS - 1));
}

/** The last day whose windows (30-day or calendar month) still reach back to `day`. */
export function lastDependentDay(day: string): string {
  return laterDay(addDays(day, MAU_WINDOW_DAYS - 1), lastOfMonth(day));
}

/**
 * Distinct active users over the rolling 30 days and over the calendar month, for one tenant's days fed in
 * ascending order (days without data may be skipped). Holds only the user ids of the days still inside a
 * window, so memory follows the busiest 30 days, not the length of the history.
 */
export class ActiveUsersWindow {
  private readonly days: Array<{ day: string; userIds: readonly string[] }> = [];
  /** user id → days of the rolling window it was active on. */
  private readonly daysPerUser = new Map<string, number>();
  private readonly monthUsers = new Set<string>();
  private month = '';
  private lastDay = '';

  /** Days whose user ids are held (at most the 30 of the window). */
  get daysHeld(): number {
    return this.days.length;
  }

  /** Adds a day's distinct active user ids and returns the figures of that day. */
  add(day: string, userIds: readonly string[]): ActiveUsersFigures {
    if (day <= this.lastDay) throw new ActiveUsersWindowError(`day ${day} fed after ${this.lastDay}`);
    this.lastDay = day;
    const first = thirtyDayStart(day);
    while (this.days.length > 0 && this.days[0]!.day < first) {
      for (const userId of this.days.shift()!.userIds) {
        const n = this.daysPerUser.get(userId)! - 1;
        if (n === 0) this.daysPerUser.delete(userId);
        else this.daysPerUser.set(userId, n);
      }
    }
    if (monthOf(day) !== this.month) {
      this.month = monthOf(day);
      this.monthUsers.clear();
    }
    for (const userId of userIds) {
      this.daysPerUser.set(userId, (this.daysPerUser.get(userId) ?? 0) + 1);
      this.monthUsers.add(userId);
    }
    this.days.push({ day, userIds });
    return { dau: userIds.length, mau30d: this.daysPerUser.size, mauMonth: this.monthUsers.size };
  }
}
