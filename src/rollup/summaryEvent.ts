/**
 * The summary events: the contract with Splunk analysts. Each is exactly the JSON object POSTed to
 * HEC `/services/collector/event` and written as one NDJSON line. Field names live here once;
 * the README schema and the Splunk app's searches are checked against SUMMARY_FIELDS.
 */
import type { CoverageFigures } from './coverage';
import type { ReconcileRow } from './reconcile';

export type SummaryKind =
  | 'daily'
  | 'm2m'
  | 'event_type'
  | 'active_users'
  | 'quota'
  | 'coverage'
  | 'auth0_daily'
  | 'auth0_active_users'
  | 'reconcile'
  | 'run';

/** Fields every kind but `run` carries. */
export interface BucketFields {
  summary: Exclude<SummaryKind, 'run'>;
  /** Deterministic: same tenant, day, zone, kind and dimensions give the same id on any machine. */
  summary_id: string;
  tenant: string;
  /** YYYY-MM-DD in `tz`. */
  day: string;
  tz: string;
  /** Bucket start, epoch seconds. */
  info_min_time: number;
  /** Bucket end (exclusive), epoch seconds. */
  info_max_time: number;
  /** ISO 8601 UTC. */
  generated_at: string;
  run_id: string;
}

export interface DailyEvent extends BucketFields {
  summary: 'daily';
  logins: number;
  failed_logins: number;
  signups: number;
  failed_signups: number;
  breached_passwords: number;
  /** Distinct non-empty user_ids of login_success and signup_success records. */
  active_users: number;
  m2m_tokens: number;
  /** m2m_tokens whose audience matches none of the configured non-billable audiences. */
  m2m_tokens_billable: number;
  m2m_token_failures: number;
  token_exchanges: number;
  token_exchange_failures: number;
  /** All records of the tenant and day after de-duplication. */
  events: number;
}

export interface M2mEvent extends BucketFields {
  summary: 'm2m';
  client_id: string;
  /** The latest non-empty client_name by record date (ties: lexicographically greatest); "" when none. */
  client_name: string;
  audience: string;
  /** Whether the audience is billed (matches none of the configured non-billable audiences). */
  billable: boolean;
  m2m_tokens: number;
  m2m_token_failures: number;
}

export interface EventTypeEvent extends BucketFields {
  summary: 'event_type';
  type: string;
  count: number;
}

/** Active users of one tenant-day and the windows ending on it. */
export interface ActiveUsersEvent extends BucketFields {
  summary: 'active_users';
  /** Distinct active users that day (the daily event's active_users). */
  dau: number;
  /** Distinct active users over the 30 days ending that day. */
  mau_30d: number;
  /** Distinct active users (login and signup successes) from the 1st of the month through that day: Auth0 bills MAU by the month. */
  mau_month: number;
  /** False when the data does not reach back to the first day of both windows (the MAU figures may undercount). */
  window_complete: boolean;
}

export type QuotaMetric = 'm2m_tokens_billable' | 'active_users';

/** Month-to-date use of one quota through one tenant-day. */
export interface QuotaEvent extends BucketFields {
  summary: 'quota';
  metric: QuotaMetric;
  /** YYYY-MM. */
  month: string;
  /** Month to date through `day` (for active_users: mau_month). */
  used: number;
  /** The configured monthly limit; null when none is set. */
  limit: number | null;
  /** used / limit × 100, two decimals; null without a limit. */
  percent_used: number | null;
  /** used extrapolated linearly to the month's last day by elapsed days, rounded; null for active_users (distinct
   *  users do not add up day by day). */
  projected_month_end: number | null;
  /** The highest configured alert threshold (percent) reached; null when none or without a limit. */
  threshold: number | null;
  /** False when the tenant's data does not reach back to the 1st of the month: `used` may undercount. */
  window_complete: boolean;
}

/** How completely one tenant-day (in the run's zone) is covered by log records of any type (see CoverageFigures). */
export interface CoverageEvent extends BucketFields, CoverageFigures {
  summary: 'coverage';
}

/** One stats/daily row of a tenant, for a day the run summarized; `day` and `tz` are in auth0.statsTimezone. */
export interface Auth0DailyEvent extends BucketFields {
  summary: 'auth0_daily';
  logins: number;
  signups: number;
  /** null without the breached-password subscription. */
  leaked_passwords: number | null;
  /** As the API returned it. */
  updated_at: string | null;
}

/** stats/active-users of a tenant on the day of the call (in auth0.statsTimezone). */
export interface Auth0ActiveUsersEvent extends BucketFields {
  summary: 'auth0_active_users';
  active_users_30d: number;
  /** ISO 8601 UTC: when the API was asked. */
  as_of: string;
}


/** Our figure (counted by the API's day boundary whatever --timezone is) beside Auth0's for one tenant, day
 *  (auth0.statsTimezone) and metric: the fields of a ReconcileRow. */
export interface ReconcileEvent extends BucketFields, ReconcileRow {
  summary: 'reconcile';
}

/** A tenant whose statistics could not be read, in the run event. */
export interface Auth0StatsError {
  tenant: string;
  /** The error's stable code, e.g. ERR_AUTH0_UNREACHABLE. */
  code: string;
}

export type RunStatus = 'ok' | 'partial' | 'failed';

/**
 * The `run` event. Scalars come first and lists last, each list capped at RUN_EVENT_LIST_CAP entries with its full
 * length beside it (`…_count`): Splunk's automatic JSON extraction stops after `[kv] maxchars` (10240 by default),
 * and a long list ahead of `status` would hide it from the health searches.
 */
export interface RunEvent {
  summary: 'run';
  run_id: string;
  status: RunStatus;
  started_at: string;
  finished_at: string;
  tz: string;
  /** Input objects (files) read. */
  objects: number;
  /** Bytes read, as stored (compressed where the object is gzip). */
  bytes: number;
  /** Log records decoded, duplicates included. */
  records: number;
  duplicates: number;
  malformed: number;
  rejected: number;
  /** Malformed or rejected items counted but not written to --quarantine: past the first QUARANTINE_ITEMS_PER_OBJECT of an object. Absent when none. */
  quarantine_truncated?: number;
  /** Listed objects found deleted when their turn came: passed over, not read (a later run reads them if they are back). Absent when none. */
  objects_gone?: number;
  out_of_range: number;
  /** Records of days whose earlier log_ids were pruned from the state (older than --dedup-days): counted unchecked. */
  dedup_unavailable: number;
  /** Distinct tenant-days summarized. */
  days: number;
  /** Summary events emitted, this run event excluded. */
  summaries: number;
  /** How many inputs were given (`inputs` lists the first RUN_EVENT_LIST_CAP). */
  inputs_count: number;
  /** How many distinct unknown event type codes were seen (`unknown_types` lists the first RUN_EVENT_LIST_CAP, sorted). */
  unknown_types_count: number;
  /** A merge's: how many shards' partial results it merged (its read figures are theirs, summed). Absent otherwise. */
  merged_shards?: number;
  /** Attempts the AWS SDK made again at the run's S3 requests (inputs and state) after throttling, a server error or a lost connection: a request sent 3 times counts 2. Present when an input or the state is on S3. */
  s3_retries?: number;
  /** Added by the HEC sink (its stats()) when it is used. */
  hec_requests?: number;
  hec_retries?: number;
  hec_events_sent?: number;
  hec_events_spooled?: number;
  /** Events HEC refused one by one (bad data, too large); set aside, never resent. */
  hec_events_rejected?: number;
  /** One-line reason when status is not ok. */
  error?: string;
  /** The stable `ERR_…` code of the error that failed the run (README "Exit codes"), when the job raised it. */
  error_code?: string;
  /** Present when Auth0 statistics were asked for: tenants whose statistics could not be read. */
  auth0_stats_errors?: {
    count: number;
    /** The first AUTH0_STATS_ERRORS_LISTED of them. */
    tenants: Auth0StatsError[];
  };
  /** The inputs as given (paths and s3:// URLs), the first RUN_EVENT_LIST_CAP. */
  inputs: string[];
  unknown_types: string[];
}

/** Most entries each list of the run event carries; its `…_count` field gives the full number. */
export const RUN_EVENT_LIST_CAP = 100;

/** How many failing tenants the run event lists by name (the count is always whole). */
export const AUTH0_STATS_ERRORS_LISTED = 20;

export type SummaryPayload =
  | DailyEvent
  | M2mEvent
  | EventTypeEvent
  | ActiveUsersEvent
  | QuotaEvent
  | CoverageEvent
  | Auth0DailyEvent
  | Auth0ActiveUsersEvent
  | ReconcileEvent
  | RunEvent;

/** The HEC envelope around each payload. */
export interface SummaryEnvelope<P extends SummaryPayload = SummaryPayload> {
  /** Bucket start in epoch seconds (the run's start for `run`). */
  time: number;
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: P;
}

/** Every field name each kind's `event` carries: one source of truth for docs and Splunk searches. */
export const SUMMARY_FIELDS: Record<SummaryKind, readonly string[]> = {
  daily: [
    'summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id',
    'logins', 'failed_logins', 'signups', 'failed_signups', 'breached_passwords', 'active_users',
    'm2m_tokens', 'm2m_tokens_billable', 'm2m_token_failures', 'token_exchanges', 'token_exchange_failures', 'events',
  ],
  m2m: [
    'summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id',
    'client_id', 'client_name', 'audience', 'billable', 'm2m_tokens', 'm2m_token_failures',
  ],
  event_type: [
    'summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id',
    'type', 'count',
  ],
  active_users: [
    'summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id',
    'dau', 'mau_30d', 'mau_month', 'window_complete',
  ],
  quota: [
    'summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id',
    'metric', 'month', 'used', 'limit', 'percent_used', 'projected_month_end', 'threshold', 'window_complete',
  ],
  coverage: [
    'summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id',
    'records', 'hours_in_day', 'hours_with_records', 'longest_gap_minutes', 'first_record', 'last_record',
  ],
  auth0_daily: [
    'summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id',
    'logins', 'signups', 'leaked_passwords', 'updated_at',
  ],
  auth0_active_users: [
    'summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id',
    'active_users_30d', 'as_of',
  ],
  reconcile: [
    'summary', 'summary_id', 'tenant', 'day', 'tz', 'info_min_time', 'info_max_time', 'generated_at', 'run_id',
    'metric', 'logs', 'auth0', 'delta', 'delta_percent', 'tolerance_percent', 'status',
  ],
  // Scalars first, lists last (see RunEvent).
  run: [
    'summary', 'run_id', 'status', 'started_at', 'finished_at', 'tz', 'objects', 'bytes', 'records', 'duplicates',
    'malformed', 'rejected', 'quarantine_truncated', 'objects_gone', 'out_of_range', 'dedup_unavailable', 'days', 'summaries', 'inputs_count', 'unknown_types_count',
    'merged_shards', 's3_retries', 'hec_requests', 'hec_retries', 'hec_events_sent', 'hec_events_spooled', 'hec_events_rejected', 'error', 'error_code',
    'auth0_stats_errors', 'inputs', 'unknown_types',
  ],
};

/** Envelope keys around `event`. */
export const ENVELOPE_FIELDS = ['time', 'host', 'source', 'sourcetype', 'index', 'event'] as const;
