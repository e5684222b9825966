/**
 * The delivery policy: batches sent in order; retries with backoff on what may succeed later; stop on
 * what cannot; 413 → halves; a refused event → set aside and the rest sent; indexer acknowledgement
 * polled and unacknowledged batches resent. What cannot be delivered is returned for the spool. Once the
 * stop signal fires, nothing more is waited for: a request already sent gets its reply, then every event
 * not yet delivered is returned for the spool, as after a passed deadline.
 */
import type { SummaryEnvelope } from '../../rollup/summaryEvent';
import { queryAcks, type AckPolicy } from './ackQuery';
import { backoffDelay, type RetryPolicy } from './backoff';
import { batchBody, cutBatches, type QueuedEvent } from './eventBatches';
import type { HecLog } from './hecLog';
import { classifyEventReply, classifyTransportFailure, type EventPostOutcome } from './hecReply';
import type { HecStats } from './hecStats';
import { HEC_EVENT_PATH, HecTransportError, type HecTransport } from './hecTransport';
import { Auth0UsageError } from '../../support/errors';

/** Why HEC refused one event of a batch. */
export interface HecEventRejection {
  status: number;
  /** HEC code (6 Invalid data format, 12, 13, 15), or 0 for an event too large on its own (HTTP 413). */
  code: number;
  text: string;
}

export type RejectedEventHandler = (envelope: SummaryEnvelope, rejection: HecEventRejection) => void | Promise<void>;

/** Keeps an event HEC refused on its own and says where, for the log ("quarantined to FILE", "kept in FILE"). */
export type KeepRejectedEvent = (envelope: SummaryEnvelope, rejection: HecEventRejection) => Promise<string>;

export interface HecDeliveryDeps {
  transport: HecTransport;
  /** Base URL for messages. */
  target: string;
  batchBytes: number;
  retry: RetryPolicy;
  /** Set when indexer acknowledgement is on: the channel GUID and the polling policy. */
  ack?: AckPolicy & { channel: string };
  sleep(ms: number): Promise<void>;
  random(): number;
  now(): number;
  log: HecLog;
  stats: HecStats;
  keepRejected: KeepRejectedEvent;
  /** Stops the delivery (SIGTERM): ends the current wait at once; its reason's message says why in the log. */
  signal?: AbortSignal;
}

export interface DeliveryOutcome {
  delivered: number;
  /** Not delivered (deadline passed, never acknowledged): for the spool. */
  undelivered: QueuedEvent[];
}

/** A delivery stopped by `error`; `undelivered` lists every event not known to be delivered. */
export class HecDeliveryAborted extends Auth0UsageError {
  static override readonly code: string = 'ERR_HEC_DELIVERY_ABORTED';
  static override readonly internal = true;
  constructor(
    readonly error: unknown,
    readonly delivered: number,
    readonly undelivered: QueuedEvent[],
  ) {
    super('HEC delivery aborted');
  }
}

interface Batch {
  events: QueuedEvent[];
  resends: number;
}

interface PendingAck {
  batch: Batch;
  ackId: number;
}

/** Thrown inside one deliver() to unwind with the events of the batch in hand. */
class Stop {
  constructor(
    readonly cause: unknown,
    readonly unsent: QueuedEvent[],
  ) {}
}

const MAX_PENDING_ACKS = 100;

export class HecDelivery {
  readonly #deps: HecDeliveryDeps;
  readonly #headers: Record<string, string>;
  /** Once a batch outlives the deadline, HEC is considered down: everything after is spooled at once. */
  #gaveUp: string | undefined;
  /** Batches sent by an earlier deliver({ more: true }) whose acknowledgement is still to be checked. */
  #carried: PendingAck[] = [];
  #warnedNoAckId = false;

  constructor(deps: HecDeliveryDeps) {
    this.#deps = deps;
    this.#headers = deps.ack ? { 'X-Splunk-Request-Channel': deps.ack.channel } : {};
  }

  get gaveUp(): boolean {
    return this.#gaveUp !== undefined || this.#stopped() !== undefined;
  }

  /**
   * Sends the events. With `more`, batches whose acknowledgement is pending may stay pending (up to
   * MAX_PENDING_ACKS) for a later call, so that a delivery in several calls waits for acknowledgements about as
   * often as one in a single call; without it, every pending batch is settled before the call returns.
   */
  async deliver(events: readonly QueuedEvent[], { more = false }: { more?: boolean } = {}): Promise<DeliveryOutcome> {
    const outcome: DeliveryOutcome = { delivered: 0, undelivered: [] };
    const queue: Batch[] = cutBatches(events, this.#deps.batchBytes).map((batch) => ({ events: batch, resends: 0 }));
    const pending: PendingAck[] = this.#carried;
    this.#carried = [];
    try {
      while (queue.length > 0 || (pending.length > 0 && !more)) {
        const batch = queue.shift();
        if (batch) await this.#send(batch, queue, pending, outcome);
        if (pending.length > 0 && ((queue.length === 0 && !more) || pending.length >= MAX_PENDING_ACKS)) {
          await this.#settleAcks(pending.splice(0), queue, outcome);
        }
      }
      this.#carried = pending;
    } catch (error) {
      const stop = error instanceof Stop ? error : new Stop(error, []);
      const unsent = [
        ...outcome.undelivered,
        ...stop.unsent,
        ...queue.flatMap((batch) => batch.events),
        ...pending.flatMap((entry) => entry.batch.events),
      ];
      throw new HecDeliveryAborted(stop.cause, outcome.delivered, unsent);
    }
    return outcome;
  }

  async #send(batch: Batch, queue: Batch[], pending: PendingAck[], outcome: DeliveryOutcome): Promise<void> {
    const stopped = this.#stopped();
    if (stopped !== undefined) this.#giveUp(stopped);
    if (this.#gaveUp !== undefined) {
      for (const event of batch.events) outcome.undelivered.push(event);
      return;
    }
    const result = await this.#postWithRetry(batch.events);
    switch (result.kind) {
      case 'accepted':
        if (this.#deps.ack && result.ackId !== undefined) {
          pending.push({ batch, ackId: result.ackId });
          return;
        }
        if (this.#deps.ack && !this.#warnedNoAckId) {
          this.#warnedNoAckId = true;
          this.#deps.log.warn('HEC sent no ackId: indexer acknowledgement is off for this token; accepted batches count as delivered');
        }
        this.#delivered(outcome, batch.events.length);
        return;
      case 'too-large': {
        if (batch.events.length === 1) {
          await this.#reject(batch.events[0]!, { status: 413, code: 0, text: 'Event larger than the HEC request size limit' });
          return;
        }
        const half = Math.ceil(batch.events.length / 2);
        this.#deps.log.debug(`HEC: HTTP 413 for ${batch.events.length} events; sending them in halves`);
        queue.unshift({ events: batch.events.slice(0, half), resends: batch.resends }, { events: batch.events.slice(half), resends: batch.resends });
        return;
      }
      case 'bad-event': {
        this.#delivered(outcome, result.index);
        const rest = batch.events.slice(result.index + 1);
        if (rest.length > 0) queue.unshift({ events: rest, resends: batch.resends });
        await this.#reject(batch.events[result.index]!, { status: result.status, code: result.code, text: result.text });
        return;
      }
      case 'gave-up':
        this.#giveUp(result.reason);
        for (const event of batch.events) outcome.undelivered.push(event);
        return;
      case 'fatal':
        this.#delivered(outcome, result.indexedBefore);
        throw new Stop(result.error, batch.events.slice(result.indexedBefore));
      case 'retry':
        throw new Error('unreachable: retries are handled by #postWithRetry');
    }
  }

  /** POSTs one batch until it gets an answer that is not "try again", or the deadline passes. */
  async #postWithRetry(events: QueuedEvent[]): Promise<EventPostOutcome | { kind: 'gave-up'; reason: string }> {
    const { transport, retry: policy, stats, log } = this.#deps;
    const body = batchBody(events);
    const started = this.#deps.now();
    for (let retry = 0; ; retry++) {
      stats.requests += 1;
      let outcome: EventPostOutcome;
      try {
        const response = await transport.post(HEC_EVENT_PATH, body, this.#headers);
        outcome = classifyEventReply(response, {
          target: this.#deps.target,
          indexOfEvent: (position) => events[position]?.envelope.index,
          batchSize: events.length,
          nowMs: this.#deps.now(),
        });
      } catch (error) {
        if (!(error instanceof HecTransportError)) throw error;
        outcome = classifyTransportFailure(error);
      }
      log.debug(`HEC POST ${events.length} events (${Buffer.byteLength(body)} bytes): ${outcome.kind}`);
      if (outcome.kind !== 'retry') return outcome;
      const delay = backoffDelay(retry, policy, this.#deps.random, outcome.retryAfterMs);
      if (this.#deps.now() - started + delay > policy.deadlineMs) return { kind: 'gave-up', reason: outcome.reason };
      let stopped = this.#stopped();
      if (stopped === undefined) {
        log.warn(`HEC: ${outcome.reason}; retry ${retry + 1} in ${delay} ms`);
        stats.retries += 1;
        await this.#pause(delay);
        stopped = this.#stopped();
      }
      if (stopped !== undefined) return { kind: 'gave-up', reason: stopped };
    }
  }

  /**
   * Polls until every pending batch is acknowledged or the ack timeout passes; unacknowledged batches are
   * queued again (at-least-once: they may have been indexed after all) or, past maxResends, spooled.
   */
  async #settleAcks(waiting: PendingAck[], queue: Batch[], outcome: DeliveryOutcome): Promise<void> {
    const ack = this.#deps.ack!;
    const started = this.#deps.now();
    let left = waiting;
    try {
      while (left.length > 0 && this.#deps.now() - started < ack.timeoutMs && this.#stopped() === undefined) {
        await this.#pause(ack.pollIntervalMs);
        if (this.#stopped() !== undefined) break;
        this.#deps.stats.ackQueries += 1;
        const ids = left.map((entry) => entry.ackId);
        const answer = await queryAcks(this.#deps.transport, ids, this.#headers, this.#deps.target);
        if (answer.kind === 'fatal') throw new Stop(answer.error, []);
        if (answer.kind === 'unanswered') {
          this.#deps.log.debug(`HEC ack query unanswered: ${answer.reason}`);
          continue;
        }
        left = left.filter((entry) => {
          if (!answer.acked.has(entry.ackId)) return true;
          this.#delivered(outcome, entry.batch.events.length);
          return false;
        });
      }
    } catch (error) {
      const stop = error instanceof Stop ? error : new Stop(error, []);
      throw new Stop(stop.cause, [...stop.unsent, ...left.flatMap((entry) => entry.batch.events)]);
    }
    const stopped = this.#stopped();
    if (stopped !== undefined && left.length > 0) {
      this.#giveUp(stopped);
      this.#deps.log.warn(`HEC: ${left.length} batches not yet acknowledged; spooling them`);
      for (const { batch } of left) for (const event of batch.events) outcome.undelivered.push(event);
      return;
    }
    for (const { batch } of left) {
      if (batch.resends >= ack.maxResends) {
        this.#deps.log.warn(`HEC never acknowledged ${batch.events.length} events after ${batch.resends} resends; spooling them`);
        for (const event of batch.events) outcome.undelivered.push(event);
      } else {
        this.#deps.log.warn(`HEC did not acknowledge ${batch.events.length} events within ${ack.timeoutMs} ms; resending them`);
        queue.push({ events: batch.events, resends: batch.resends + 1 });
      }
    }
  }

  /** From now on every event is spooled at once; said once in the log. */
  #giveUp(reason: string): void {
    if (this.#gaveUp !== undefined) return;
    this.#gaveUp = reason;
    this.#deps.log.warn(`HEC delivery gave up (${reason}); spooling what is left`);
  }

  /** Why the delivery was told to stop, once it was. */
  #stopped(): string | undefined {
    const { signal } = this.#deps;
    if (!signal?.aborted) return undefined;
    const reason: unknown = signal.reason;
    return reason instanceof Error && reason.message !== '' ? reason.message : 'stopped';
  }

  /** The backoff or polling wait, cut short when the stop signal fires. */
  async #pause(ms: number): Promise<void> {
    const { signal } = this.#deps;
    if (!signal) return this.#deps.sleep(ms);
    if (signal.aborted) return;
    let onAbort = () => {};
    const stopped = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.#deps.sleep(ms), stopped]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  #delivered(outcome: DeliveryOutcome, count: number): void {
    outcome.delivered += count;
    this.#deps.stats.eventsSent += count;
  }

  /** Sets a refused event aside; if that fails, the event goes to the spool instead and the run stops. */
  async #reject(event: QueuedEvent, rejection: HecEventRejection): Promise<void> {
    const id = (event.envelope.event as { summary_id?: string }).summary_id ?? event.envelope.event.summary;
    const refused = `HEC refused event ${id}: code ${rejection.code}, ${rejection.text} (HTTP ${rejection.status})`;
    let where: string;
    try {
      where = await this.#deps.keepRejected(event.envelope, rejection);
    } catch (error) {
      this.#deps.log.warn(`${refused}; it could not be set aside, so it is left undelivered and the run stops`);
      throw new Stop(error, [event]);
    }
    this.#deps.stats.eventsRejected += 1;
    this.#deps.log.warn(`${refused}; ${where}`);
  }
}
