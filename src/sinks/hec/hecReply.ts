/**
 * What a reply to an event POST means for the delivery policy. We read the HTTP status and the body's
 * `code` ourselves: a non-JSON body (a proxy's HTML 502, a web server's 200 page) is never success.
 */
import { describeHecCode, EVENT_LEVEL_CODES, HEC_CODES } from './hecCodes';
import { HecRejectedError, HecTlsError, type HecError } from './hecErrors';
import { HEC_TOKEN_ENV_VARS } from './hecToken';
import type { HecResponse, HecTransportError } from './hecTransport';
import { parseRetryAfter } from './backoff';

/** The fields of a HEC reply body we use. */
export interface HecReply {
  code: number;
  text?: string;
  ackId?: number;
  /** Zero-based index, within the batch, of the first rejected event. */
  invalidEventNumber?: number;
}

export type EventPostOutcome =
  | { kind: 'accepted'; ackId?: number }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'too-large' }
  /** Events before `index` were indexed; the one at `index` was refused; those after were not read. */
  | { kind: 'bad-event'; index: number; status: number; code: number; text: string }
  /** Stop the run. `indexedBefore` events at the head of the batch were indexed all the same. */
  | { kind: 'fatal'; error: HecError; indexedBefore: number };

export interface ReplyContext {
  /** Base URL as the operator wrote it, for messages. */
  target: string;
  /** Index of the event at a position in the batch, for code 7 messages. */
  indexOfEvent(position: number): string | undefined;
  /** Events in the batch (an `invalid-event-number` beyond it is not believed). */
  batchSize: number;
  nowMs: number;
}

/** The body as a HEC reply, or undefined when it is not one (HTML, plain text, other JSON). */
export function readHecReply(body: unknown): HecReply | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.code !== 'number') return undefined;
  const reply: HecReply = { code: record.code };
  if (typeof record.text === 'string') reply.text = record.text;
  if (typeof record.ackId === 'number') reply.ackId = record.ackId;
  const invalid = record['invalid-event-number'];
  if (typeof invalid === 'number' && Number.isInteger(invalid) && invalid >= 0) reply.invalidEventNumber = invalid;
  return reply;
}

/** 408, 429 and 5xx other than 501/505 may succeed later; everything else will fail the same way. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

export function classifyEventReply(response: HecResponse, context: ReplyContext): EventPostOutcome {
  const { status } = response;
  const reply = readHecReply(response.body);
  if (status >= 200 && status < 300) {
    if (reply?.code === 0) return { kind: 'accepted', ackId: reply.ackId };
    return fatal(
      new HecRejectedError(`the reply from ${context.target} is not a HEC success reply (HTTP ${status}, ${describeBody(response)}): check --hec-url`, 'endpoint', status, reply?.code),
    );
  }
  if (isRetryableStatus(status)) {
    const what = reply ? describeHecCode(reply.code, reply.text) : describeBody(response);
    return { kind: 'retry', reason: `HTTP ${status} (${what})`, retryAfterMs: parseRetryAfter(response.headers['retry-after'], context.nowMs) };
  }
  if (status === 413) return { kind: 'too-large' };
  if (reply && EVENT_LEVEL_CODES.has(reply.code) && reply.invalidEventNumber !== undefined && reply.invalidEventNumber < context.batchSize) {
    const text = HEC_CODES[reply.code]?.text ?? reply.text ?? '';
    return { kind: 'bad-event', index: reply.invalidEventNumber, status, code: reply.code, text };
  }
  return rejection(response, reply, context);
}

/** A socket-level failure: TLS problems are fatal, the rest (refused, reset, timeout) are retried. */
export function classifyTransportFailure(error: HecTransportError): EventPostOutcome {
  if (error.tls) return fatal(new HecTlsError(error.message, error.osCode ?? 'TLS'));
  return { kind: 'retry', reason: error.message };
}

/** The error for a 4xx/3xx reply that a retry cannot fix. */
export function rejection(response: HecResponse, reply: HecReply | undefined, context: ReplyContext): EventPostOutcome {
  const { status } = response;
  const indexedBefore = Math.min(reply?.invalidEventNumber ?? 0, context.batchSize);
  // Splunk answers an unknown path with a JSON 404 ({"code":404}): not a HEC code.
  if (status === 404) {
    return fatal(new HecRejectedError(`no HEC endpoint at ${context.target} (HTTP 404): check --hec-url and that HEC is enabled`, 'endpoint', status));
  }
  if (!reply) {
    return fatal(new HecRejectedError(`HEC refused the request: HTTP ${status} (${describeBody(response)})`, 'request', status));
  }
  const code = describeHecCode(reply.code, reply.text);
  const subject = HEC_CODES[reply.code]?.subject;
  if (subject === 'token') {
    // What to fix: a disabled token is switched on in Splunk; any other is the wrong one in the environment.
    const fix = reply.code === 1 ? 'enable it in Splunk (Settings > Data inputs > HTTP Event Collector)' : `check ${HEC_TOKEN_ENV_VARS[0]} (or ${HEC_TOKEN_ENV_VARS[1]})`;
    return fatal(new HecRejectedError(`HEC rejected the token: ${code}: ${fix}`, 'token', status, reply.code), indexedBefore);
  }
  if (subject === 'index') {
    const index = context.indexOfEvent(indexedBefore);
    const name = index === undefined ? "the token's default index" : `index '${index}'`;
    const fix = "add it to the token's allowed indexes in Splunk, or give --hec-index (config splunk.index) one of them";
    return fatal(new HecRejectedError(`${name} is not allowed for this token: ${code}: ${fix}`, 'index', status, reply.code), indexedBefore);
  }
  if (reply.code === 10) {
    return fatal(new HecRejectedError(`this HEC token requires indexer acknowledgement (${code}): pass --hec-ack`, 'channel', status, reply.code));
  }
  if (subject === 'channel') {
    return fatal(new HecRejectedError(`HEC rejected the request channel: ${code}`, 'channel', status, reply.code));
  }
  if (subject === 'ack') {
    return fatal(new HecRejectedError(`indexer acknowledgement is off for this token (${code}): drop --hec-ack`, 'ack', status, reply.code));
  }
  return fatal(new HecRejectedError(`HEC rejected the request: HTTP ${status}, ${code}`, 'request', status, reply.code), indexedBefore);
}

function fatal(error: HecError, indexedBefore = 0): EventPostOutcome {
  return { kind: 'fatal', error, indexedBefore };
}

/** A short description of a body that is not a HEC reply, e.g. "not a HEC reply: text/html". */
function describeBody(response: HecResponse): string {
  const type = response.headers['content-type'];
  const kind = (Array.isArray(type) ? type[0] : type)?.split(';')[0]?.trim();
  if (response.body === '' || response.body === undefined) return 'empty body';
  return `not a HEC reply${kind ? `: ${kind}` : ''}`;
}
