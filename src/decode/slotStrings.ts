import { KeptObjects } from './keptObjects';
import { CACHE_SLOTS } from './spanCache';

const kept = new KeptObjects<SlotStrings>();

/**
 * The decoded text of each SpanCache slot, on the side that reads the records (the main thread, for a decode
 * worker's batches): filled when a slot is (re)filled, read on every hit, so a value that repeats is one string.
 */
export class SlotStrings {
  private readonly texts = new Array<string>(CACHE_SLOTS).fill('');

  /**
   * One from those given back, else a new one. A worker's SpanCache starts each object empty, so a batch fills a
   * slot before it names one: a text left from the last object is never read, and need not be cleared.
   */
  static take(): SlotStrings {
    return kept.take() ?? new SlotStrings();
  }

  /** Keeps it for the next object (a few-KB object spent more allocating this than being read). */
  give(): void {
    kept.give(this);
  }

  get(slot: number): string {
    return this.texts[slot];
  }

  /** Slot `slot` now holds the span whose UTF-8 text is `bytes[start, end)`; returns that text. */
  fill(slot: number, bytes: Buffer, start: number, end: number): string {
    const text = start === end ? '' : bytes.toString('utf8', start, end);
    this.texts[slot] = text;
    return text;
  }
}
