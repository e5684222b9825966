import { DayAggregate } from './dayAggregate';
import type { DayRange } from './dayRange';
import { type NestedMap, nestedAdd, nestedGet, nestedValues } from './nestedMap';

const dayStartOf = (aggregate: DayAggregate): number => aggregate.range.startMs;

/** The DayAggregates of one input object, keyed by tenant and day start. */
export class DayAggregateTable {
  /** Aggregates by tenant and day start (a tenant's one aggregate held alone: most have one day in an object). */
  private readonly byTenant: NestedMap<string, number, DayAggregate> = new Map();
  // Consecutive records are usually of the same tenant-day.
  private last: DayAggregate | undefined;
  /** Look-ups by tenant and day (those the last aggregate did not answer). */
  lookUps = 0;
  /** Maps by day made (for the tenants with more than one day). */
  dayMaps = 0;

  /** The aggregate of a tenant and day, created empty when absent. */
  aggregateFor(tenant: string, range: DayRange): DayAggregate {
    const last = this.last;
    if (last !== undefined && last.tenant === tenant && last.range.startMs === range.startMs) return last;
    this.lookUps++;
    let aggregate = nestedGet(this.byTenant, tenant, range.startMs, dayStartOf);
    if (aggregate === undefined) {
      aggregate = new DayAggregate(tenant, range);
      if (nestedAdd(this.byTenant, tenant, aggregate, dayStartOf)) this.dayMaps++;
    }
    this.last = aggregate;
    return aggregate;
  }

  aggregates(): IterableIterator<DayAggregate> {
    return nestedValues(this.byTenant);
  }
}
