/** Counters of one HecSink's work, and the fields they add to the `run` summary event. */

export interface HecStats {
  /** Event POSTs, retries included (acknowledgement queries not). */
  requests: number;
  /** Event POSTs that repeated a failed one. */
  retries: number;
  /** Events HEC accepted (acknowledged, with --hec-ack), spool re-sends included. */
  eventsSent: number;
  /** Events left in the spool by this run: new ones, and spooled ones that still could not be sent. */
  eventsSpooled: number;
  /** Events HEC refused one by one (quarantined, or kept in the spool's rejected file). */
  eventsRejected: number;
  /** Events from earlier runs' spool files that this run delivered. */
  spoolResent: number;
  /** Events of earlier runs' spool files dropped unsent: this run sent the same summary_id again. */
  spoolSuperseded: number;
  /** Queries to /services/collector/ack. */
  ackQueries: number;
}

export function emptyHecStats(): HecStats {
  return { requests: 0, retries: 0, eventsSent: 0, eventsSpooled: 0, eventsRejected: 0, spoolResent: 0, spoolSuperseded: 0, ackQueries: 0 };
}

/** What the `run` event reports about HEC delivery (a type alias, so it fits Record<string, number>). */
export type HecRunFields = {
  hec_requests: number;
  hec_retries: number;
  hec_events_sent: number;
  hec_events_spooled: number;
  hec_events_rejected: number;
};

export const HEC_RUN_FIELDS = ['hec_requests', 'hec_retries', 'hec_events_sent', 'hec_events_spooled', 'hec_events_rejected'] as const;

export function hecRunFields(stats: HecStats): HecRunFields {
  return {
    hec_requests: stats.requests,
    hec_retries: stats.retries,
    hec_events_sent: stats.eventsSent,
    hec_events_spooled: stats.eventsSpooled,
    hec_events_rejected: stats.eventsRejected,
  };
}
