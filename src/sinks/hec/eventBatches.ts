/** Envelopes serialized once, and cut into POST bodies of bounded size. */
import type { SummaryEnvelope } from '../../rollup/summaryEvent';

export interface QueuedEvent {
  envelope: SummaryEnvelope;
  /** Exactly the bytes HEC receives for this event (and the spool keeps). */
  json: string;
  bytes: number;
}

export function queueEvent(envelope: SummaryEnvelope): QueuedEvent {
  const json = JSON.stringify(envelope);
  return { envelope, json, bytes: Buffer.byteLength(json, 'utf8') };
}

/**
 * Consecutive runs of events whose concatenation stays within `maxBytes`, in order. An event larger
 * than `maxBytes` travels alone (HEC decides with 413 whether it is too large).
 */
export function cutBatches(events: readonly QueuedEvent[], maxBytes: number): QueuedEvent[][] {
  const batches: QueuedEvent[][] = [];
  let current: QueuedEvent[] = [];
  let size = 0;
  for (const event of events) {
    if (current.length > 0 && size + event.bytes > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(event);
    size += event.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The POST body: envelopes back to back with no separator, as HEC's batch format wants. */
export function batchBody(events: readonly QueuedEvent[]): string {
  return events.map((event) => event.json).join('');
}
