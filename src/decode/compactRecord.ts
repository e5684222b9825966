import type { LogRecord } from './logRecord';

/**
 * One LogRecord as a compact NDJSON line that the decoder reads back into the identical LogRecord: a shard's
 * record files hold these, and the merge decodes them like any archive. Empty fields are left out (they read back
 * as ""), the tenant goes in `tenant_name` (read before the hostname's label), the date as ISO 8601 with
 * milliseconds (every date the decoder accepts lies in years 0000-9999, where toISOString() has that shape).
 */
export function compactRecordLine(record: LogRecord): string {
  const line: Record<string, string> = {};
  if (record.logId !== null) line.log_id = record.logId;
  line.date = new Date(record.dateMs).toISOString();
  line.type = record.type;
  line.tenant_name = record.tenant;
  if (record.hostname !== '') line.hostname = record.hostname;
  if (record.clientId !== '') line.client_id = record.clientId;
  if (record.clientName !== '') line.client_name = record.clientName;
  if (record.audience !== '') line.audience = record.audience;
  if (record.userId !== '') line.user_id = record.userId;
  return JSON.stringify(line);
}
