/** log_id hashes as [hi, lo] pairs in a growable typed array (8 bytes a hash, no object per entry). */
export class HashPairs {
  // Small at first: an object of many tenants has one per tenant-day, most holding a few records.
  private pairs = new Uint32Array(8);
  private length = 0;

  get size(): number {
    return this.length / 2;
  }

  push(hi: number, lo: number): void {
    if (this.length + 2 > this.pairs.length) {
      const grown = new Uint32Array(this.pairs.length * 2);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    this.pairs[this.length++] = hi;
    this.pairs[this.length++] = lo;
  }

  forEach(visit: (hi: number, lo: number) => void): void {
    for (let i = 0; i < this.length; i += 2) visit(this.pairs[i]!, this.pairs[i + 1]!);
  }
}
