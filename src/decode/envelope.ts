/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The log record inside one archive item, with the `log_id` its envelope carried (undefined when none). */
export interface UnwrappedRecord {
  record: JsonObject;
  outerLogId: unknown;
}

const EVENTBRIDGE_DETAIL_TYPE = 'Auth0 log';
const EVENTBRIDGE_SOURCE_PREFIX = 'aws.partner/auth0.com';

/**
 * Finds the log record in one archive item:
 * - EventBridge event: `detail.data` (with `detail.log_id`), or the record directly under `detail`;
 * - custom webhook item: `{ log_id, data: record }` (a bare record always has `type`, a webhook item never does);
 * - anything else is taken as a bare record (Management API shape, possibly with `_id`/`id`).
 */
export function unwrapEnvelope(item: JsonObject): UnwrappedRecord {
  const detail = item.detail;
  if (isJsonObject(detail) && isEventBridgeEvent(item)) {
    const data = detail.data;
    if (isJsonObject(data)) return { record: data, outerLogId: detail.log_id };
    return { record: detail, outerLogId: undefined };
  }
  const data = item.data;
  if (isJsonObject(data) && item.type === undefined && item.type_code === undefined) {
    return { record: data, outerLogId: item.log_id };
  }
  return { record: item, outerLogId: undefined };
}

/** `detail-type` "Auth0 log" (hand-written events use a one-element array), or an Auth0 partner event source. */
function isEventBridgeEvent(item: JsonObject): boolean {
  const detailType = item['detail-type'];
  if (detailType === EVENTBRIDGE_DETAIL_TYPE) return true;
  if (Array.isArray(detailType) && detailType.length === 1 && detailType[0] === EVENTBRIDGE_DETAIL_TYPE) return true;
  const source = item.source;
  return typeof source === 'string' && source.startsWith(EVENTBRIDGE_SOURCE_PREFIX);
}
