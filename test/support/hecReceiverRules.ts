/**
 * The checks a HEC endpoint makes on a request, with Splunk's replies (Troubleshoot HTTP Event
 * Collector → Possible error codes). Pure functions, used by the test receiver.
 */

export interface HecReplyBody {
  text: string;
  code: number;
  'invalid-event-number'?: number;
  ackId?: number;
}

/** A reply: status and JSON body (a HEC reply, an ack answer, or a plain HTTP error). */
export interface Refusal {
  status: number;
  body: object;
}

const TEXT: Record<number, string> = {
  0: 'Success',
  1: 'Token disabled',
  2: 'Token is required',
  3: 'Invalid authorization',
  4: 'Invalid token',
  5: 'No data',
  6: 'Invalid data format',
  7: 'Incorrect index',
  8: 'Internal server error',
  9: 'Server is busy',
  10: 'Data channel is missing',
  11: 'Invalid data channel',
  12: 'Event field is required',
  13: 'Event field cannot be blank',
  14: 'ACK is disabled',
  15: 'Error in handling indexed fields',
  17: 'HEC is healthy',
  18: 'HEC is unhealthy, queues are full',
};

export function reply(code: number, extra: Partial<HecReplyBody> = {}): HecReplyBody {
  return { text: TEXT[code] ?? 'Unknown', code, ...extra };
}

export function refusal(status: number, code: number, extra: Partial<HecReplyBody> = {}): Refusal {
  return { status, body: reply(code, extra) };
}

/** `Authorization: Splunk <token>` (or Basic with the token as password), as HEC checks it. */
export function checkAuthorization(header: string | undefined, token: string, disabled: boolean): Refusal | undefined {
  if (header === undefined || header.trim() === '') return refusal(401, 2);
  let given: string | undefined;
  const splunk = /^Splunk\s+(\S+)$/.exec(header);
  const basic = /^Basic\s+(\S+)$/.exec(header);
  if (splunk) given = splunk[1];
  else if (basic) given = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').slice(1).join(':');
  if (given === undefined) return refusal(401, 3);
  if (given !== token) return refusal(403, 4);
  if (disabled) return refusal(403, 1);
  return undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The request channel: required when acknowledgement is on, always a GUID when given. */
export function checkChannel(channel: string | undefined, ackEnabled: boolean): Refusal | undefined {
  if (channel === undefined) return ackEnabled ? refusal(400, 10) : undefined;
  return GUID.test(channel) ? undefined : refusal(400, 11);
}

/** The HEC code refusing one event envelope, or undefined when HEC would index it. */
export function checkEnvelope(value: unknown, allowedIndexes: readonly string[] | undefined): number | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 6;
  const envelope = value as Record<string, unknown>;
  if (!('event' in envelope)) return 12;
  const event = envelope.event;
  if (event === null || (typeof event === 'string' && event.trim() === '')) return 13;
  if ('time' in envelope && !isEpochTime(envelope.time)) return 6;
  if ('index' in envelope) {
    if (typeof envelope.index !== 'string') return 6;
    if (allowedIndexes && !allowedIndexes.includes(envelope.index)) return 7;
  }
  if ('fields' in envelope && !areIndexedFields(envelope.fields)) return 15;
  return undefined;
}

function isEpochTime(time: unknown): boolean {
  if (typeof time === 'number') return Number.isFinite(time) && time >= 0;
  return typeof time === 'string' && /^\d+(\.\d+)?$/.test(time);
}

/** `fields` maps names to strings, numbers or arrays of them: nothing nested deeper. */
function areIndexedFields(fields: unknown): boolean {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return false;
  const flat = (v: unknown) => typeof v === 'string' || typeof v === 'number';
  return Object.values(fields).every((v) => flat(v) || (Array.isArray(v) && v.every(flat)));
}
