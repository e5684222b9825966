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

export interface DeliverOptions {
  /**
   * More summaries follow in later calls: the sink may leave work (HEC's acknowledgements) to a later call. The
   * last call of a run's summaries, possibly with no events, has it unset.
   */
  more?: boolean;
  /**
   * With `more` unset: this call ends a part of the run (a checkpoint), and later parts bring more summaries. The
   * sink settles its delivery as on the last call (the part is committed after it), but leaves what belongs to the
   * run's end (HEC: resending earlier runs' spool, less what the run rebuilt) to the last call without it.
   */
  checkpoint?: boolean;
}

/**
 * A destination for summary events. The run calls `deliver` with the summaries in their stable order, a chunk
 * at a time as they are built (`more` set), a last time with `more` unset (possibly with no events), then once
 * more with the `run` event alone (so it can report the delivery), then `close`.
 */
export interface SummarySink {
  readonly name: string;
  /**
   * Rejects on errors that fail the run (a rejected token, an unwritable file). The run still hands it the later
   * chunks and the run event, which it keeps if it can (HEC spools them).
   */
  deliver(events: readonly SummaryEnvelope[], options?: DeliverOptions): Promise<DeliveryResult>;
  /**
   * Makes what was delivered so far visible where it goes (a file moved into place), ahead of the state commit:
   * once the state has moved on, a crash must not leave the destination without this run's summaries.
   */
  publish?(): Promise<void>;
  close(): Promise<void>;
}
