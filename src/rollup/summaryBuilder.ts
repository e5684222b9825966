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
  // Field order follows SUMMARY_FIELDS so every NDJSON line lists fields the same way. Each event's own fields are
  // added to its fresh bucket fields with Object.assign: an object spread followed by more fields cost V8 several
  // microseconds an event, more than the rest of a small tenant-day's summaries together.
  const bucket = <K extends BucketFields['summary']>(kind: K, ...dimensions: string[]) =>
    bucketFields(kind, aggregate.tenant, aggregate.range, tz, meta, ...dimensions);

  const daily: DailyEvent = Object.assign(bucket('daily'), {
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
  });

  const m2m = aggregate.m2m().map((b) =>
    envelope<M2mEvent>(
      Object.assign(bucket('m2m', b.clientId, b.audience), {
        client_id: b.clientId,
        client_name: b.clientName,
        audience: b.audience,
        billable: b.billable,
        m2m_tokens: b.m2mTokens,
        m2m_token_failures: b.m2mTokenFailures,
      }),
    ),
  );

  const eventTypes = aggregate
    .eventTypes()
    .map(([type, count]) => envelope<EventTypeEvent>(Object.assign(bucket('event_type', type), { type, count })));

  const coverage = aggregate.coverage();
  const summaries: DaySummaries = { daily: envelope(daily), m2m, eventTypes };
  if (coverage !== null) summaries.coverage = envelope<CoverageEvent>(Object.assign(bucket('coverage'), coverage.figures()));
  return summaries;
}
