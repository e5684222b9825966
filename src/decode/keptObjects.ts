/**
 * Objects a thread keeps for its next decode objects: at most `limit` of them (one per object decoded side by side is
 * plenty), each at most once. What a decode object allocates per object (string cache, slot texts, batch arrays,
 * about 3 MB in all) cost an object of a few KB more to allocate and collect than its decoding did.
 */
export class KeptObjects<T> {
  private readonly items: T[] = [];

  constructor(private readonly limit = 4) {}

  /** One given back earlier, or undefined. */
  take(): T | undefined {
    return this.items.pop();
  }

  give(item: T): void {
    if (this.items.length < this.limit && !this.items.includes(item)) this.items.push(item);
  }
}
