import { DayAggregate } from './dayAggregate';
import type { DayRange } from './dayRange';

/** The DayAggregates of a run (or of one object), keyed by tenant and day start. */
export class DayAggregateTable {
  private readonly byTenant = new Map<string, Map<number, DayAggregate>>();
  // Consecutive records are usually of the same tenant-day.
  private last: DayAggregate | undefined;
  private count = 0;

  /** Distinct tenant-days held. */
  get size(): number {
    return this.count;
  }

  /** The aggregate of a tenant and day, created empty when absent. */
  aggregateFor(tenant: string, range: DayRange): DayAggregate {
    const last = this.last;
    if (last !== undefined && last.tenant === tenant && last.range.startMs === range.startMs) return last;
    let byDay = this.byTenant.get(tenant);
    if (byDay === undefined) {
      byDay = new Map();
      this.byTenant.set(tenant, byDay);
    }
    let aggregate = byDay.get(range.startMs);
    if (aggregate === undefined) {
      aggregate = new DayAggregate(tenant, range);
      byDay.set(range.startMs, aggregate);
      this.count++;
    }
    this.last = aggregate;
    return aggregate;
  }

  /** Adds every aggregate of `other` into this table; `other` is left unchanged. */
  merge(other: DayAggregateTable): void {
    for (const aggregate of other.aggregates()) this.aggregateFor(aggregate.tenant, aggregate.range).merge(aggregate);
  }

  /** All aggregates, sorted by tenant then day. */
  sorted(): DayAggregate[] {
    const tenants = [...this.byTenant.keys()].sort();
    const result: DayAggregate[] = [];
    for (const tenant of tenants) {
      const byDay = this.byTenant.get(tenant) as Map<number, DayAggregate>;
      result.push(...[...byDay.keys()].sort((a, b) => a - b).map((start) => byDay.get(start) as DayAggregate));
    }
    return result;
  }

  *aggregates(): IterableIterator<DayAggregate> {
    for (const byDay of this.byTenant.values()) yield* byDay.values();
  }
}
