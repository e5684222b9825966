/** Numbers in a piece once the list has grown to it: 64 KiB. */
const PIECE = 16384;

/**
 * log_id hashes as [hi, lo] pairs in typed arrays (8 bytes a hash, no object per entry). Small at first (an object
 * of many tenants has one per tenant-day, most holding a few records), doubled up to a 64 KiB piece, then a piece
 * at a time: growing copies nothing and leaves no garbage. A single array doubled to the end left the halves it
 * outgrew, a list's size of them, in the old generation until a full collection (4 MiB for 400k records), and up to
 * as much again unused.
 */
export class HashPairs {
  private readonly full: Uint32Array[] = [];
  private tail = new Uint32Array(8);
  private used = 0;
  private allocated = this.tail.byteLength;

  get size(): number {
    return (this.full.length * PIECE + this.used) / 2;
  }

  /** Bytes of every array the list has made, those it outgrew included. */
  get bytesAllocated(): number {
    return this.allocated;
  }

  push(hi: number, lo: number): void {
    if (this.used + 2 > this.tail.length) this.grow();
    this.tail[this.used++] = hi;
    this.tail[this.used++] = lo;
  }

  forEach(visit: (hi: number, lo: number) => void): void {
    for (const piece of this.full) for (let i = 0; i < PIECE; i += 2) visit(piece[i]!, piece[i + 1]!);
    const { tail, used } = this;
    for (let i = 0; i < used; i += 2) visit(tail[i]!, tail[i + 1]!);
  }

  /** Visits the pairs from the `start`th to the one before the `end`th, in order. */
  forEachBetween(start: number, end: number, visit: (hi: number, lo: number) => void): void {
    const fullPairs = (this.full.length * PIECE) / 2;
    for (let pair = start; pair < end; pair++) {
      if (pair < fullPairs) {
        const at = 2 * pair;
        const piece = this.full[Math.floor(at / PIECE)]!;
        visit(piece[at % PIECE]!, piece[(at % PIECE) + 1]!);
      } else {
        const at = 2 * (pair - fullPairs);
        visit(this.tail[at]!, this.tail[at + 1]!);
      }
    }
  }

  private grow(): void {
    if (this.tail.length < PIECE) {
      const grown = new Uint32Array(this.tail.length * 2);
      grown.set(this.tail);
      this.tail = grown;
    } else {
      this.full.push(this.tail);
      this.tail = new Uint32Array(PIECE);
      this.used = 0;
    }
    this.allocated += this.tail.byteLength;
  }
}
