/**
 * A HEC endpoint for tests (and by hand: scripts/hec-receiver.js): node:http or node:https on
 * 127.0.0.1, a random port unless told. It follows Splunk's protocol — token check, gzip bodies,
 * concatenated JSON batches, per-event refusals with `invalid-event-number` (the events before it ARE
 * indexed), an index allow-list, health, channels and indexer acknowledgement, a body size limit — and
 * takes injected faults. It records every request and every indexed event, in order.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { splitConcatenatedJson } from './hecConcatenatedJson';
import { checkAuthorization, checkChannel, checkEnvelope, refusal, reply, type Refusal } from './hecReceiverRules';

export interface HecReceiverOptions {
  token: string;
  tokenDisabled?: boolean;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  port?: number;
  /** Indexes the token may write to; any when absent. */
  allowedIndexes?: readonly string[];
  /** Indexer acknowledgement on for the token. */
  ack?: {
    /** Each ackId is reported false to this many queries before it is reported true. */
    falseForQueries?: number;
    /** The first N ackIds handed out are never reported true. */
    neverAckFirst?: number;
  };
  /** Serve no /services/collector/health (404), like some HEC-compatible receivers. */
  noHealthEndpoint?: boolean;
  /** Largest request body (as sent, before gunzip) accepted; larger gets HTTP 413. */
  maxBodyBytes?: number;
  onIndexed?: (envelope: IndexedEnvelope) => void;
  onRequest?: (request: RecordedRequest) => void;
}

export type HecFault =
  /** No fault: handled normally (lets requests through ahead of an injectAlways fault). */
  | { kind: 'pass' }
  | { kind: 'busy'; retryAfterSeconds?: number }
  | { kind: 'internal-error' }
  | { kind: 'html-502' }
  | { kind: 'reset' }
  /** HEC takes the batch (its events are indexed), then the connection drops before the reply: a lost answer. */
  | { kind: 'reset-after-index' }
  /** HEC refuses the event at `at` of the batch with `code` (6, 12, 13, 15): those before it are indexed, the rest not read. */
  | { kind: 'refuse-event'; at: number; code: number }
  /** The request is handled (events indexed) but the reply comes after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  | { kind: 'status'; status: number; body: string; contentType?: string; retryAfter?: string };

/** An event envelope as indexed. Typed loosely: it is what the client sent. */
export interface IndexedEnvelope {
  time?: number | string;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: Record<string, unknown> & { summary_id?: string; summary?: string };
  [key: string]: unknown;
}

export interface IndexedEvent {
  envelope: IndexedEnvelope;
  /** Position of the request in `requests`. */
  request: number;
  channel?: string;
  ackId?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Body after gunzip, as text. */
  body: string;
  rawBytes: number;
  /** HTTP status of the reply; 0 when the connection was reset instead. */
  status: number;
  reply: string;
  fault?: HecFault['kind'];
}

const EVENT_PATHS = new Set(['/services/collector', '/services/collector/event', '/services/collector/event/1.0']);
const HEALTH_PATHS = new Set(['/services/collector/health', '/services/collector/health/1.0']);
const ACK_PATH = '/services/collector/ack';

export class HecReceiver {
  readonly requests: RecordedRequest[] = [];
  readonly indexed: IndexedEvent[] = [];
  /** Set to make /health answer 503 code 18. */
  unhealthy = false;
  readonly #options: HecReceiverOptions;
  readonly #server: http.Server;
  readonly #faults: HecFault[] = [];
  #alwaysFault: HecFault | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** channel → ackId → queries so far (undefined once it may never be acknowledged). */
  readonly #acks = new Map<string, Map<number, { queries: number; never: boolean }>>();
  #ackIdsIssued = 0;

  private constructor(options: HecReceiverOptions) {
    this.#options = options;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.#handle(req, res);
    this.#server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  }

  static async start(options: HecReceiverOptions): Promise<HecReceiver> {
    const receiver = new HecReceiver(options);
    await new Promise<void>((resolve, reject) => {
      receiver.#server.once('error', reject);
      receiver.#server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    return receiver;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Base URL to give the client, e.g. http://127.0.0.1:40123. */
  get url(): string {
    return `${this.#options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The next `times` event POSTs meet `fault`. */
  inject(fault: HecFault, times = 1): void {
    for (let i = 0; i < times; i++) this.#faults.push(fault);
  }

  /** Every event POST meets `fault` until clearFaults(). */
  injectAlways(fault: HecFault): void {
    this.#alwaysFault = fault;
  }

  clearFaults(): void {
    this.#faults.length = 0;
    this.#alwaysFault = undefined;
  }

  events(): IndexedEnvelope[] {
    return this.indexed.map((entry) => entry.envelope);
  }

  summaryIds(): string[] {
    return this.indexed.map((entry) => String(entry.envelope.event.summary_id));
  }

  eventRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.method === 'POST' && EVENT_PATHS.has(request.path));
  }

  ackRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.path === ACK_PATH);
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://receiver');
    const record: RecordedRequest = { method: req.method ?? '', path: url.pathname, headers: req.headers, body: raw.toString('utf8'), rawBytes: raw.length, status: 0, reply: '' };
    this.requests.push(record);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      record.status = status;
      record.reply = body;
      this.#options.onRequest?.(record);
      if (!res.destroyed) res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', ...headers }).end(body);
    };
    const answer = (result: Refusal) => send(result.status, JSON.stringify(result.body));

    if (req.method === 'GET' && HEALTH_PATHS.has(url.pathname) && !this.#options.noHealthEndpoint) {
      answer(this.unhealthy ? refusal(503, 18) : refusal(200, 17));
      return;
    }
    const channel = (req.headers['x-splunk-request-channel'] as string | undefined) ?? url.searchParams.get('channel') ?? undefined;
    if (req.method === 'POST' && url.pathname === ACK_PATH) {
      answer(this.#ackQuery(req, channel, record));
      return;
    }
    if (req.method !== 'POST' || !EVENT_PATHS.has(url.pathname)) {
      send(404, JSON.stringify({ text: 'The requested URL was not found on this server.', code: 404 }));
      return;
    }

    const fault = this.#faults.shift() ?? this.#alwaysFault;
    if (fault) record.fault = fault.kind;
    switch (fault?.kind) {
      case 'busy':
        send(503, JSON.stringify(reply(9)), fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) });
        return;
      case 'internal-error':
        answer(refusal(500, 8));
        return;
      case 'html-502':
        send(502, '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>', { 'Content-Type': 'text/html' });
        return;
      case 'reset':
        this.#options.onRequest?.(record);
        req.socket.destroy();
        return;
      case 'status':
        send(fault.status, fault.body, { 'Content-Type': fault.contentType ?? 'application/json; charset=UTF-8', ...(fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}) });
        return;
    }

    const result = this.#ingest(req, raw, channel, record, fault);
    if (fault?.kind === 'reset-after-index') {
      this.#options.onRequest?.(record);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        answer(result);
      }, fault.delayMs);
      this.#timers.add(timer);
    } else {
      answer(result);
    }
  }

  /** Handles an event POST as HEC does and returns the reply. */
  #ingest(req: http.IncomingMessage, raw: Buffer, channel: string | undefined, record: RecordedRequest, fault: HecFault | undefined): Refusal {
    const denied = checkAuthorization(req.headers.authorization, this.#options.token, this.#options.tokenDisabled ?? false) ?? checkChannel(channel, this.#options.ack !== undefined);
    if (denied) return denied;
    if (this.#options.maxBodyBytes !== undefined && raw.length > this.#options.maxBodyBytes) {
      return { status: 413, body: { text: 'Content too large', code: 413 } };
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') return { status: 415, body: { text: 'Unsupported Media Type', code: 415 } };
    try {
      record.body = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    } catch {
      return refusal(400, 6);
    }
    if (record.body.trim() === '') return refusal(400, 5);

    const parsed = splitConcatenatedJson(record.body);
    let firstBad: { at: number; code: number } | undefined;
    if (fault?.kind === 'refuse-event' && fault.at < parsed.values.length) firstBad = { at: fault.at, code: fault.code };
    for (let at = 0; at < parsed.values.length && !firstBad; at++) {
      const code = checkEnvelope(parsed.values[at], this.#options.allowedIndexes);
      if (code !== undefined) firstBad = { at, code };
    }
    if (!firstBad && parsed.invalidAt !== undefined) firstBad = { at: parsed.invalidAt, code: 6 };
    const accepted = parsed.values.slice(0, firstBad?.at ?? parsed.values.length) as IndexedEnvelope[];
    const ackId = !firstBad && this.#options.ack && channel ? this.#issueAckId(channel) : undefined;
    for (const envelope of accepted) {
      this.indexed.push({ envelope, request: this.requests.length - 1, channel, ackId });
      this.#options.onIndexed?.(envelope);
    }
    if (firstBad) return refusal(400, firstBad.code, { 'invalid-event-number': firstBad.at });
    return { status: 200, body: ackId === undefined ? reply(0) : reply(0, { ackId }) };
  }

  #issueAckId(channel: string): number {
    let ids = this.#acks.get(channel);
    if (!ids) this.#acks.set(channel, (ids = new Map()));
    const ackId = ids.size;
    ids.set(ackId, { queries: 0, never: this.#ackIdsIssued < (this.#options.ack?.neverAckFirst ?? 0) });
    this.#ackIdsIssued += 1;
    return ackId;
  }

  #ackQuery(req: http.IncomingMessage, channel: string | undefined, record: RecordedRequest): Refusal {
    const denied = checkAuthorization(req.headers.authorization, this.#options.token, this.#options.tokenDisabled ?? false);
    if (denied) return denied;
    if (!this.#options.ack) return refusal(400, 14);
    const badChannel = checkChannel(channel, true);
    if (badChannel) return badChannel;
    let ids: unknown;
    try {
      ids = (JSON.parse(record.body) as { acks?: unknown }).acks;
    } catch {
      return refusal(400, 6);
    }
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id))) return refusal(400, 6);
    const falseFor = this.#options.ack.falseForQueries ?? 0;
    const states = this.#acks.get(channel!) ?? new Map<number, { queries: number; never: boolean }>();
    const acks: Record<string, boolean> = {};
    for (const id of ids as number[]) {
      const state = states.get(id);
      if (state) state.queries += 1;
      acks[String(id)] = state !== undefined && !state.never && state.queries > falseFor;
    }
    return { status: 200, body: { acks } };
  }
}
