import { DayAggregate } from './dayAggregate';
import type { DayRange } from './dayRange';

/** The DayAggregates of one input object, keyed by tenant and day start. */
export class DayAggregateTable {
  /**
   * Tenant → its one aggregate, or a map of them by day start once it has a second day: most of a fleet's tenants
   * have one day in an object, and a map for each cost 200 bytes a tenant-day, held while the object is read.
   */
  private readonly byTenant = new Map<string, DayAggregate | Map<number, DayAggregate>>();
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
    const held = this.byTenant.get(tenant);
    let aggregate: DayAggregate | undefined;
    if (held === undefined) {
      aggregate = new DayAggregate(tenant, range);
      this.byTenant.set(tenant, aggregate);
    } else if (held instanceof DayAggregate) {
      if (held.range.startMs === range.startMs) aggregate = held;
      else {
        aggregate = new DayAggregate(tenant, range);
        this.byTenant.set(tenant, new Map([[held.range.startMs, held], [range.startMs, aggregate]]));
        this.dayMaps++;
      }
    } else {
      aggregate = held.get(range.startMs);
      if (aggregate === undefined) {
        aggregate = new DayAggregate(tenant, range);
        held.set(range.startMs, aggregate);
      }
    }
    this.last = aggregate;
    return aggregate;
  }

  /** Holds `aggregate` as its tenant-day's (which must have none yet). */
  put(aggregate: DayAggregate): void {
    const { tenant, range } = aggregate;
    const held = this.byTenant.get(tenant);
    if (held === undefined) this.byTenant.set(tenant, aggregate);
    else {
      const byDay = held instanceof DayAggregate ? new Map([[held.range.startMs, held]]) : held;
      if (byDay.has(range.startMs)) throw new Error(`put(): ${tenant} ${range.day} is held already`);
      byDay.set(range.startMs, aggregate);
      if (held instanceof DayAggregate) {
        this.byTenant.set(tenant, byDay);
        this.dayMaps++;
      }
    }
  }

  /** Holds nothing again. */
  clear(): void {
    this.byTenant.clear();
    this.last = undefined;
  }

  *aggregates(): IterableIterator<DayAggregate> {
    for (const held of this.byTenant.values()) {
      if (held instanceof DayAggregate) yield held;
      else yield* held.values();
    }
  }
}
