/**
 * Bytes in flight, bounded: take() waits while what it asks would pass the limit, unless nothing is in flight (so
 * one item larger than the limit still goes, alone). For work run several at a time whose items differ in size by
 * orders of magnitude: sixteen small files at once is the point, sixteen large ones in memory at once is not.
 */
export class ByteBudget {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async take(bytes: number): Promise<void> {
    while (this.inFlight > 0 && this.inFlight + bytes > this.limit) await new Promise<void>((wake) => this.waiting.push(wake));
    this.inFlight += bytes;
  }

  give(bytes: number): void {
    this.inFlight -= bytes;
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Bytes taken and not given back. */
  get taken(): number {
    return this.inFlight;
  }
}
