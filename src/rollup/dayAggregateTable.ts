import { DayAggregate } from './dayAggregate';
import type { DayRange } from './dayRange';

/** The DayAggregates of one input object, keyed by tenant and day start. */
export class DayAggregateTable {
  private readonly byTenant = new Map<string, Map<number, DayAggregate>>();
  // Consecutive records are usually of the same tenant-day.
  private last: DayAggregate | undefined;
  /** Look-ups by tenant and day (those the last aggregate did not answer). */
  lookUps = 0;

  /** The aggregate of a tenant and day, created empty when absent. */
  aggregateFor(tenant: string, range: DayRange): DayAggregate {
    const last = this.last;
    if (last !== undefined && last.tenant === tenant && last.range.startMs === range.startMs) return last;
    this.lookUps++;
    let byDay = this.byTenant.get(tenant);
    if (byDay === undefined) {
      byDay = new Map();
      this.byTenant.set(tenant, byDay);
    }
    let aggregate = byDay.get(range.startMs);
    if (aggregate === undefined) {
      aggregate = new DayAggregate(tenant, range);
      byDay.set(range.startMs, aggregate);
    }
    this.last = aggregate;
    return aggregate;
  }

  *aggregates(): IterableIterator<DayAggregate> {
    for (const byDay of this.byTenant.values()) yield* byDay.values();
  }
}
