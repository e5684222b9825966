import { CACHE_SLOTS } from './spanCache';

/**
 * The decoded text of each SpanCache slot, on the side that reads the records (the main thread, for a decode
 * worker's batches): filled when a slot is (re)filled, read on every hit, so a value that repeats is one string.
 */
export class SlotStrings {
  private readonly texts = new Array<string>(CACHE_SLOTS).fill('');

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
