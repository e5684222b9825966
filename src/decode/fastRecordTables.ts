import { KeptObjects } from './keptObjects';
import { SlotStrings } from './slotStrings';
import { CACHE_SLOTS, SpanCache } from './spanCache';

const kept = new KeptObjects<FastRecordTables>();

/**
 * A FastRecordReader's tables by SpanCache slot, about 2.6 MB. An object of a few KB (Firehose and webhook exports
 * deliver thousands a day) spent more allocating and collecting them than being decoded, so a thread keeps them for
 * its next object: take() when an object starts, give() when it ends.
 *
 * The cache starts empty again (clear()), so the next object's first use of a slot is a fill. What a reader noted
 * per slot is valid for the fill it noted it at only (SpanCache.fills, never reset), so a note left by the last
 * object is never taken for one of this object's.
 */
export class FastRecordTables {
  readonly spans = new SpanCache();
  /** toLogRecord's text of each slot (made on first use), and the fill each text was decoded from. */
  slotStrings: SlotStrings | null = null;
  readonly slotStringFills = new Uint32Array(CACHE_SLOTS);
  /** Per type slot: its fields mask (FieldsOfType) and the fill it was worked out for. */
  readonly slotFields = new Uint8Array(CACHE_SLOTS);
  readonly slotFieldsFills = new Uint32Array(CACHE_SLOTS);

  static take(): FastRecordTables {
    const tables = kept.take();
    if (tables === undefined) return new FastRecordTables();
    tables.spans.clear();
    return tables;
  }

  give(): void {
    kept.give(this);
  }
}
