import type { JsonObject } from './envelope';
import { parseIsoDate } from './isoDate';
import type { LogRecord } from './logRecord';

export { parseIsoDate } from './isoDate';

/** Why a parsed item is not a usable log record; `reason` is written to the quarantine as is. */
export interface RecordRejection {
  readonly reason: string;
}

export function isRejection(result: LogRecord | RecordRejection): result is RecordRejection {
  return (result as RecordRejection).reason !== undefined;
}

export const NOT_AN_OBJECT: RecordRejection = Object.freeze({ reason: 'rejected: not a JSON object' });
export const NO_TYPE: RecordRejection = Object.freeze({ reason: 'rejected: no type' });
export const NO_DATE: RecordRejection = Object.freeze({ reason: 'rejected: no parseable date' });
const ID_NOT_STRING: Record<string, RecordRejection> = {
  log_id: Object.freeze({ reason: 'rejected: log_id is not a string' }),
  _id: Object.freeze({ reason: 'rejected: _id is not a string' }),
  id: Object.freeze({ reason: 'rejected: id is not a string' }),
};

/**
 * Turns one unwrapped record into a LogRecord, or says why it cannot be used.
 * `outerLogId` is the envelope's `log_id`, used when the record has none of its own.
 */
export function normalizeRecord(record: JsonObject, outerLogId: unknown, defaultTenant: string): LogRecord | RecordRejection {
  // Extension archives rewrite `type` to a readable name and keep the code in `type_code`.
  let type = record.type_code;
  if (typeof type !== 'string' || type === '') type = record.type;
  if (typeof type !== 'string' || type === '') return NO_TYPE;

  const dateMs = parseIsoDate(record.date);
  if (!Number.isFinite(dateMs)) return NO_DATE;

  let logId: string | null = null;
  let idField = 'log_id';
  let id = present(record.log_id) ? record.log_id : outerLogId;
  if (!present(id)) (idField = '_id'), (id = record._id);
  if (!present(id)) (idField = 'id'), (id = record.id);
  if (present(id)) {
    // A numeric 56-digit id has already lost its precision in JSON.parse; counting it would merge distinct events.
    if (typeof id !== 'string') return ID_NOT_STRING[idField];
    logId = id;
  }

  const hostname = stringOr(record.hostname);
  return {
    logId,
    dateMs,
    type,
    tenant: tenantOf(record.tenant_name, hostname, defaultTenant),
    hostname,
    clientId: stringOr(record.client_id),
    clientName: stringOr(record.client_name),
    audience: stringOr(record.audience),
    userId: stringOr(record.user_id),
  };
}

export function tenantOf(tenantName: unknown, hostname: string, defaultTenant: string): string {
  if (typeof tenantName === 'string' && tenantName !== '') return tenantName;
  const dot = hostname.indexOf('.');
  const label = dot === -1 ? hostname : hostname.slice(0, dot);
  return label !== '' ? label : defaultTenant;
}

/** An id field counts as absent when missing, null or empty. */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function stringOr(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
