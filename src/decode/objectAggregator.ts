import type { LogRecord } from './logRecord';

/**
 * Counting an object's records on its decode thread instead of sending them to the main thread for it. The main
 * thread still decides, record by record, which records count (de-duplication spans objects and runs, so only it
 * can): it answers each record batch with a verdict per record, and the thread adds the counted ones to an
 * ObjectAggregator made by `module`'s `createObjectAggregator(settings)`. At the object's end the aggregator's
 * result() goes back to the main thread (DecodeSink.aggregated). The decoder knows nothing of what is counted.
 */
export interface WorkerAggregation {
  /** Absolute path of a CommonJS module exporting createObjectAggregator(settings): ObjectAggregator. */
  module: string;
  /** Plain data (it is copied to the thread). */
  settings: unknown;
  /**
   * Objects smaller than this many bytes as stored are counted on the main thread as without aggregation: a small
   * object would pay a round trip to the main thread for its verdicts, and sums of its own, for a few records.
   */
  minObjectBytes: number;
}

export interface ObjectAggregator {
  add(record: LogRecord): void;
  /** Plain data for the main thread, once every counted record was added. */
  result(): unknown;
}
