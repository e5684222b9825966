import type { SummaryEnvelope } from '../rollup/summaryEvent';

/** What a sink did with the events it was given. */
export interface DeliveryResult {
  /** Events accepted by the destination. */
  delivered: number;
  /** Events that could not be delivered and were kept for the next run. */
  spooled: number;
  /** Events the destination refused for good; they were set aside (quarantined), not spooled. */
  rejected?: number;
}

/**
 * A destination for summary events. The run calls `deliver` with the summaries in their stable order,
 * then once more with the `run` event alone (so it can report the delivery), then `close`.
 */
export interface SummarySink {
  readonly name: string;
  /** Rejects only on errors that must stop the run at once (a rejected token, an unwritable file). */
  deliver(events: readonly SummaryEnvelope[]): Promise<DeliveryResult>;
  close(): Promise<void>;
}
