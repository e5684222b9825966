/**
 * HEC status codes (the `code` in `{"text":…,"code":N}` replies) and what each means for a client.
 * Source: Splunk "Troubleshoot HTTP Event Collector → Possible error codes".
 */
import { serverErrorText } from '../../support/errorText';

export interface HecCodeInfo {
  /** The reply text Splunk sends with this code. */
  text: string;
  /** What was wrong, in the terms an operator acts on. */
  subject: 'success' | 'token' | 'data' | 'index' | 'server' | 'channel' | 'ack' | 'health';
}

export const HEC_CODES: Readonly<Record<number, HecCodeInfo>> = {
  0: { text: 'Success', subject: 'success' },
  1: { text: 'Token disabled', subject: 'token' },
  2: { text: 'Token is required', subject: 'token' },
  3: { text: 'Invalid authorization', subject: 'token' },
  4: { text: 'Invalid token', subject: 'token' },
  5: { text: 'No data', subject: 'data' },
  6: { text: 'Invalid data format', subject: 'data' },
  7: { text: 'Incorrect index', subject: 'index' },
  8: { text: 'Internal server error', subject: 'server' },
  9: { text: 'Server is busy', subject: 'server' },
  10: { text: 'Data channel is missing', subject: 'channel' },
  11: { text: 'Invalid data channel', subject: 'channel' },
  12: { text: 'Event field is required', subject: 'data' },
  13: { text: 'Event field cannot be blank', subject: 'data' },
  14: { text: 'ACK is disabled', subject: 'ack' },
  15: { text: 'Error in handling indexed fields', subject: 'data' },
  16: { text: 'Query string authorization is not enabled', subject: 'token' },
  17: { text: 'HEC is healthy', subject: 'health' },
  18: { text: 'HEC is unhealthy, queues are full', subject: 'health' },
  19: { text: 'HEC is unhealthy, ack service unavailable', subject: 'health' },
  20: { text: 'HEC is unhealthy, queues are full, ack service unavailable', subject: 'health' },
  21: { text: 'Invalid token', subject: 'token' },
  22: { text: 'Token disabled', subject: 'token' },
};

/** Codes that reject one event of a batch (the reply names it with `invalid-event-number`). */
export const EVENT_LEVEL_CODES: ReadonlySet<number> = new Set([6, 12, 13, 15]);

/** "code 4, Invalid token" — the table's text, falling back to what the server said. */
export function describeHecCode(code: number, serverText?: string): string {
  // A server's own text is cut short and redacted: a proxy may echo the request (Authorization: Splunk <token>).
  const text = HEC_CODES[code]?.text ?? (serverText === undefined ? 'unknown code' : serverErrorText(undefined, serverText));
  return `code ${code}, ${text}`;
}
