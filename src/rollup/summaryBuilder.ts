import type { DayAggregate } from './dayAggregate';
import type {
  BucketFields,
  CoverageEvent,
  DailyEvent,
  EventTypeEvent,
  M2mEvent,
  SummaryEnvelope,
  SummaryPayload,
} from './summaryEvent';
import { bucketEnvelope, bucketFields } from './bucketEnvelope';

/** Run-level values every summary event carries. */
export interface SummaryMeta {
  runId: string;
  /** ISO 8601 UTC. */
  generatedAt: string;
  source: string;
  sourcetype: string;
  /** Splunk index; the envelope omits `index` when absent. */
  index?: string;
}

/** The summary events of one tenant-day. */
export interface DaySummaries {
  daily: SummaryEnvelope<DailyEvent>;
  /** Sorted by client_id, then audience. */
  m2m: SummaryEnvelope<M2mEvent>[];
  /** Sorted by type. */
  eventTypes: SummaryEnvelope<EventTypeEvent>[];
  /** Absent for a day first stored without coverage (state version 1): unknown, not empty. */
  coverage?: SummaryEnvelope<CoverageEvent>;
}

/** Builds the daily, m2m and event_type events of one aggregate; `tz` is the zone its day is in. */
export function buildDaySummaries(aggregate: DayAggregate, tz: string, meta: SummaryMeta): DaySummaries {
  const host = aggregate.host();
  const envelope = <P extends SummaryPayload>(event: P): SummaryEnvelope<P> => bucketEnvelope(event, aggregate.range, host, meta);
  // Field order follows SUMMARY_FIELDS so every NDJSON line lists fields the same way.
  const bucket = <K extends BucketFields['summary']>(kind: K, ...dimensions: string[]) =>
    bucketFields(kind, aggregate.tenant, aggregate.range, tz, meta, ...dimensions);

  const daily: DailyEvent = {
    ...bucket('daily'),
    logins: aggregate.categoryCount('login_success'),
    failed_logins: aggregate.categoryCount('login_failure'),
    signups: aggregate.categoryCount('signup_success'),
    failed_signups: aggregate.categoryCount('signup_failure'),
    breached_passwords: aggregate.categoryCount('breached_password'),
    active_users: aggregate.activeUsers,
    m2m_tokens: aggregate.categoryCount('m2m_token'),
    m2m_tokens_billable: aggregate.billableM2mTokens(),
    m2m_token_failures: aggregate.categoryCount('m2m_token_failure'),
    token_exchanges: aggregate.categoryCount('token_exchange'),
    token_exchange_failures: aggregate.categoryCount('token_exchange_failure'),
    events: aggregate.events,
  };

  const m2m = aggregate.m2m().map((b) =>
    envelope<M2mEvent>({
      ...bucket('m2m', b.clientId, b.audience),
      client_id: b.clientId,
      client_name: b.clientName,
      audience: b.audience,
      billable: b.billable,
      m2m_tokens: b.m2mTokens,
      m2m_token_failures: b.m2mTokenFailures,
    }),
  );

  const eventTypes = aggregate
    .eventTypes()
    .map(([type, count]) => envelope<EventTypeEvent>({ ...bucket('event_type', type), type, count }));

  const coverage = aggregate.coverage();
  const coverageEvent = coverage === null ? undefined : envelope<CoverageEvent>({ ...bucket('coverage'), ...coverage.figures() });

  return { daily: envelope(daily), m2m, eventTypes, ...(coverageEvent ? { coverage: coverageEvent } : {}) };
}
