/**
 * Delivers summary events to Splunk HEC: nothing lost (what HEC does not take goes to the spool and is
 * sent by the next run; what it refuses for good is quarantined or kept beside the spool),
 * nothing silently doubled (resends only where the first try may have failed, always with the same
 * summary_id, and a spooled summary that the next run builds again is dropped, not sent twice; the README
 * section "Sending summaries to Splunk HEC" has the search that keeps the latest).
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { SummaryEnvelope } from '../../rollup/summaryEvent';
import type { DeliverOptions, DeliveryResult, SummarySink } from '../summarySink';
import { queueEvent, type QueuedEvent } from './eventBatches';
import { HecDelivery, HecDeliveryAborted, type HecEventRejection, type KeepRejectedEvent, type RejectedEventHandler } from './hecDelivery';
import { stderrWarningsLog, type HecLog } from './hecLog';
import { HecSpool, spoolDestination } from './hecSpool';
import { SpoolTurns, type TakeSpool } from './spoolTurns';
import { resolveHecConfig, type HecConfig, type HecSinkOptions } from './hecConfig';
import { emptyHecStats, hecRunFields, type HecRunFields, type HecStats } from './hecStats';
import type { HecTransport } from './hecTransport';
import { displayHecUrl } from './hecUrl';
import { rejectionReason } from './rejectedEventItem';
import { SplunkLoggingTransport } from './splunkLoggingTransport';

export { DEFAULT_BATCH_BYTES, DEFAULT_TIMEOUT_MS, type HecSinkOptions } from './hecConfig';

/** What the run provides; sleep, random, now and transport are there so tests need not wait. */
export interface HecSinkDeps {
  runId: string;
  log?: HecLog;
  /**
   * Receives each event HEC refused on its own (e.g. to write it to the quarantine file); if it throws, the
   * event is left undelivered like the rest after a stop (spooled, or rebuilt: rebuiltIfStopped) and the run
   * stops. Without it, such events go to <spool>/rejected-<run id>.ndjson.
   */
  onRejectedEvent?: RejectedEventHandler;
  /** Where onRejectedEvent keeps the events, named in the log line. */
  quarantineFile?: string;
  transport?: HecTransport;
  /**
   * Stops the delivery (the run got SIGTERM): no further retries, backoff waits or acknowledgement polls; a
   * request already sent gets its reply; every event not yet delivered, now or in later deliver() calls, goes
   * to the spool as after a passed --hec-deadline. The reason's message is logged ("stopped by SIGTERM").
   */
  signal?: AbortSignal;
  /**
   * A run whose delivery stops (token refused, index not allowed) is not committed to its --state, so the next run
   * builds and sends its summaries again. Then only `run` events are spooled after a stop: spooling the summaries
   * too would deliver them once more for every failed run.
   */
  rebuiltIfStopped?: boolean;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /**
   * Takes the spool folder for one use (reading earlier runs' files, adding to this run's, resending earlier ones),
   * waiting while another run uses it; given back after that use. Without it (tests of one sink), the spool is used
   * unguarded.
   */
  holdSpool?: TakeSpool;
}

/** Earlier runs' spool files as found by the first call, and what of them this run superseded. */
interface EarlierSpool {
  files: string[];
  /** The summary_ids they hold. */
  ids: Set<string>;
  /** Those of `ids` this run handed over again: superseded. */
  rebuilt: Set<string>;
  /**
   * Those of `rebuilt` whose new copy a call that settled its delivery (one without `more`) delivered or kept in this
   * run's own spool file. Their old copies are of no use any more, whatever becomes of the run: a delivery stopped
   * later (a refused token) removes them from the earlier files, which it otherwise leaves for the next run to decide.
   */
  settled: Set<string>;
  /** Whether the last call of the summaries dealt with them. */
  sent: boolean;
}

/** A summary's id; undefined for `run` events, which have none and are never superseded. */
function summaryIdOf(envelope: SummaryEnvelope): string | undefined {
  const id = (envelope.event as { summary_id?: unknown }).summary_id;
  return typeof id === 'string' ? id : undefined;
}

export class HecSink implements SummarySink {
  readonly name = 'hec';
  readonly #config: HecConfig;
  readonly #log: HecLog;
  readonly #stats: HecStats = emptyHecStats();
  readonly #delivery: HecDelivery;
  /** The error that stopped the delivery, once one did: later events go straight to the spool. */
  #stoppedBy: { error: unknown } | undefined;
  readonly #spool: HecSpool;
  /** Earlier runs' spool files, read on the first call. */
  #earlierSpool: EarlierSpool | undefined;
  readonly #rebuiltIfStopped: boolean;
  #notSpooled = 0;
  #spoolWarned = false;
  readonly #spoolTurns: SpoolTurns;

  constructor(options: HecSinkOptions, deps: HecSinkDeps) {
    const config = resolveHecConfig(options);
    const { baseUrl } = config;
    this.#config = config;
    this.#log = deps.log ?? stderrWarningsLog;
    if (config.insecure && baseUrl.protocol === 'https:') {
      this.#log.warn('--hec-insecure: HEC certificate verification is off; the token could be intercepted');
    }
    const transport =
      deps.transport ??
      new SplunkLoggingTransport({
        baseUrl,
        token: config.token,
        ca: config.ca,
        insecure: config.insecure,
        timeoutMs: config.timeoutMs,
      });
    this.#delivery = new HecDelivery({
      transport,
      target: displayHecUrl(baseUrl),
      batchBytes: config.batchBytes,
      retry: config.retry,
      ack: config.ack ? { ...config.ack, channel: randomUUID() } : undefined,
      // The signal also clears the timer, so a long Retry-After does not hold the process after a stop.
      sleep: deps.sleep ?? ((ms) => delay(ms, undefined, { signal: deps.signal }).catch(() => undefined)),
      random: deps.random ?? Math.random,
      now: deps.now ?? Date.now,
      log: this.#log,
      stats: this.#stats,
      keepRejected: this.#rejectedEventKeeper(deps),
      signal: deps.signal,
    });
    this.#spool = new HecSpool(config.spoolDir, deps.runId, spoolDestination(displayHecUrl(baseUrl), config.index));
    this.#rebuiltIfStopped = deps.rebuiltIfStopped === true;
    this.#spoolTurns = new SpoolTurns(config.spoolDir, deps.holdSpool, this.#log);
  }

  /** The `run` event's hec_* fields so far (the run merges what each sink's stats() returns). */
  stats(): HecRunFields {
    return hecRunFields(this.#stats);
  }

  /** All counters so far. */
  counters(): HecStats {
    return { ...this.#stats };
  }

  /** This run's spool file, if it spooled anything. */
  get spoolFile(): string | undefined {
    return this.#spool.ownFile;
  }

  /**
   * `spooled` counts this call's events kept for the next run and, on the last call of the summaries (the first
   * without `more`), the events of earlier runs' spool files that are still waiting; `rejected` the events HEC
   * refused for good. With `more`, acknowledgements may be left pending for a later call. After an error that
   * stopped the delivery (a refused token, an index not allowed), every later call spools its events (only run
   * events with rebuiltIfStopped) and rejects with the same error.
   *
   * Earlier runs' spool files are read on the first call but sent only on the last call of the summaries, after
   * this run's: only then is it known which of their summaries this run rebuilt. Those are superseded (this run
   * sent the same summary_id with the latest figures) and are dropped, not sent again.
   */
  async deliver(events: readonly SummaryEnvelope[], options: DeliverOptions = {}): Promise<DeliveryResult> {
    const queued = events.map((envelope) => queueEvent(this.#withMetadata(envelope)));
    const rejectedBefore = this.#stats.eventsRejected;
    if (this.#stoppedBy !== undefined) {
      await this.#spoolAfterStop(queued);
      throw this.#stoppedBy.error;
    }
    if (this.#earlierSpool === undefined) {
      try {
        this.#earlierSpool = await this.#spoolTurns.use(() => this.#readEarlierSpool());
      } catch (error) {
        this.#stoppedBy = { error };
        await this.#spoolAfterStop(queued);
        throw error;
      }
    }
    this.#noteRebuilt(events);
    let outcome;
    try {
      outcome = await this.#delivery.deliver(queued, { more: options.more === true });
    } catch (error) {
      if (!(error instanceof HecDeliveryAborted)) throw error;
      this.#stoppedBy = { error: error.error };
      await this.#spoolAfterStop(error.undelivered);
      await this.#dropSettled(this.#earlierSpool);
      throw error.error;
    }
    await this.#spoolEvents(outcome.undelivered);
    // Every acknowledgement of this run so far settled: each summary it rebuilt is now in HEC or in its own spool file.
    if (options.more !== true) for (const id of this.#earlierSpool.rebuilt) this.#earlierSpool.settled.add(id);
    // A checkpoint's part is committed next, and no later run builds its summaries again: their old copies go now,
    // before a kill (SIGKILL, OOM) could leave them to be sent after the new ones.
    if (options.more !== true && options.checkpoint === true) await this.#dropSettled(this.#earlierSpool);
    let stillWaiting = 0;
    // Not at a checkpoint: a later part may rebuild more of the earlier runs' summaries.
    if (options.more !== true && options.checkpoint !== true && !this.#earlierSpool.sent) {
      // After this call's delivery settled every acknowledgement: what each resend reports belongs to its file alone.
      this.#earlierSpool.sent = true;
      try {
        stillWaiting = await this.#resendSpool(this.#earlierSpool);
      } catch (error) {
        this.#stoppedBy = { error };
        // The files the resend did not reach still hold the summaries this run delivered.
        await this.#dropSettled(this.#earlierSpool);
        throw error;
      }
    }
    return {
      delivered: outcome.delivered,
      spooled: stillWaiting + outcome.undelivered.length,
      rejected: this.#stats.eventsRejected - rejectedBefore,
    };
  }

  async close(): Promise<void> {
    // Nothing stays open: every request has its own connection, no timer outlives deliver(), and the spool is given
    // back after each use.
  }

  /** Earlier runs' spool files, oldest first, and the summary_ids they hold (to tell which this run rebuilds). */
  async #readEarlierSpool(): Promise<EarlierSpool> {
    const { files, elsewhere } = await this.#spool.earlierFiles();
    if (elsewhere.length > 0) {
      // Another job's (another HEC URL or index), or this job's before its URL or index changed: not this run's to send.
      // Each with its events' index: how an operator tells this job's files from another's (the name holds a hash).
      const named = await Promise.all(
        elsewhere.slice(0, 10).map(async (name) => {
          const index = await this.#spool.indexOf(path.join(this.#spool.dir, name));
          return `${name} ${index === undefined ? '(unreadable)' : index === '' ? "(the token's default index)" : `(index ${index})`}`;
        }),
      );
      const shown = named.join(', ') + (elsewhere.length > 10 ? ', …' : '');
      this.#log.warn(
        `HEC: ${elsewhere.length} spool file(s) in ${this.#spool.dir} were written for another HEC URL or index and are left for the runs that send there (${shown}); ` +
          `if some are this job's from before its URL or index changed (by their index), rename those to end in .to-${this.#spool.destination}.ndjson (this run's) and its next run sends them`,
      );
    }
    const ids = new Set<string>();
    for (const file of files) {
      const contents = await this.#spool.read(file);
      if (!contents.ok) continue;
      for (const envelope of contents.envelopes) {
        const id = summaryIdOf(envelope);
        if (id !== undefined) ids.add(id);
      }
    }
    return { files, ids, rebuilt: new Set(), settled: new Set(), sent: false };
  }

  /**
   * At a checkpoint and after a stop: removes from the earlier runs' files the summaries whose newer copy this run
   * delivered (or kept in its own file) in a call that settled. A `--state` run commits such a part (a checkpoint),
   * so no later run builds them again to supersede the old copies, which would otherwise be sent after the new ones.
   * The rest of each file is left for the run's last part, or after a stop for the next run, to decide. Best effort:
   * a file that cannot be rewritten keeps its old copies, which are at worst sent once more.
   */
  async #dropSettled(spool: EarlierSpool): Promise<void> {
    if (spool.settled.size === 0) return;
    if (this.#spoolTurns.refused !== undefined) return;
    try {
      await this.#spoolTurns.use(async () => {
        for (const file of spool.files) {
          const contents = await this.#spool.read(file);
          if (!contents.ok || contents.envelopes.length === 0) continue;
          const current = this.#withoutSuperseded(contents.envelopes, spool.settled, (summaries) => `${summaries} removed from ${file}: this run delivered`);
          if (current.length === contents.envelopes.length) continue;
          await this.#spool.replace(file, current.map((envelope) => JSON.stringify(envelope)));
        }
        // Best effort: a spool another run keeps past the wait leaves the old copies, and does not stop this run's later
        // uses of the spool (its undelivered events, the resend at its end), which take it again.
      }, { optional: true });
    } catch (error) {
      this.#log.warn(`HEC: could not remove from the earlier spool files the summaries this run delivered (${(error as Error).message}); the next run may send their old copies too`);
    }
  }

  /** Marks the spooled summaries these events supersede. */
  #noteRebuilt(events: readonly SummaryEnvelope[]): void {
    const spool = this.#earlierSpool!;
    if (spool.ids.size === 0) return;
    for (const envelope of events) {
      const id = summaryIdOf(envelope);
      if (id !== undefined && spool.ids.has(id)) spool.rebuilt.add(id);
    }
  }

  /**
   * Earlier runs' spool files, oldest first, less the summaries this run rebuilt; each file is deleted once all
   * of it is delivered. Returns how many of their events still wait in the spool (after giving up, files are only
   * counted, and rewritten without the superseded summaries).
   */
  #resendSpool(spool: EarlierSpool): Promise<number> {
    return this.#spoolTurns.use(() => this.#resendSpoolFiles(spool));
  }

  async #resendSpoolFiles(spool: EarlierSpool): Promise<number> {
    let waiting = 0;
    for (const file of spool.files) {
      const contents = await this.#spool.read(file);
      if (!contents.ok) {
        // Its events still wait (the operator must mend the file): counted as spooled, so the run says so (exit 3).
        this.#log.warn(`HEC spool file ${file} left in place: ${contents.reason}`);
        this.#stats.eventsSpooled += contents.lines;
        waiting += contents.lines;
        continue;
      }
      if (contents.cutShort) this.#log.warn(`HEC spool file ${file} ends in a line cut short (a run stopped while writing it): that line is skipped`);
      const current = this.#withoutSuperseded(contents.envelopes, spool.rebuilt, (summaries) => `${summaries} from ${file} not sent: this run sent`);
      if (this.#delivery.gaveUp) {
        if (current.length < contents.envelopes.length) await this.#spool.replace(file, current.map((envelope) => JSON.stringify(envelope)));
        this.#stats.eventsSpooled += current.length;
        waiting += current.length;
        continue;
      }
      if (current.length > 0) this.#log.info(`HEC: re-sending ${current.length} spooled events from ${file}`);
      const queued = current.map((envelope) => queueEvent(this.#withMetadata(envelope)));
      try {
        const outcome = await this.#delivery.deliver(queued);
        await this.#keepInSpool(file, outcome.delivered, outcome.undelivered);
        waiting += outcome.undelivered.length;
      } catch (error) {
        if (!(error instanceof HecDeliveryAborted)) throw error;
        await this.#keepInSpool(file, error.delivered, error.undelivered);
        throw error.error;
      }
    }
    return waiting;
  }

  /**
   * A spool file's envelopes but those `ids` superseded, which are counted and logged (`what`: where they went and
   * what this run did, with their count).
   */
  #withoutSuperseded(envelopes: readonly SummaryEnvelope[], ids: ReadonlySet<string>, what: (summaries: string) => string): SummaryEnvelope[] {
    const current = envelopes.filter((envelope) => !ids.has(summaryIdOf(envelope) ?? ''));
    const superseded = envelopes.length - current.length;
    if (superseded > 0) {
      this.#stats.spoolSuperseded += superseded;
      this.#log.info(`HEC: ${what(`${superseded} spooled summar${superseded === 1 ? 'y' : 'ies'}`)} the same summary_id with the latest figures`);
    }
    return current;
  }

  async #keepInSpool(file: string, delivered: number, undelivered: readonly QueuedEvent[]): Promise<void> {
    this.#stats.spoolResent += delivered;
    this.#stats.eventsSpooled += undelivered.length;
    await this.#spool.replace(file, undelivered.map((event) => event.json));
  }

  /** The events a stopped delivery leaves: spooled, but for summaries the next run builds again anyway. */
  async #spoolAfterStop(events: readonly QueuedEvent[]): Promise<void> {
    if (this.#spoolTurns.refused !== undefined) {
      // Another run kept the spool: writing there could lose what it writes. The run fails with the reason.
      this.#notKept(events.length);
      return;
    }
    if (!this.#rebuiltIfStopped) return this.#spoolEvents(events);
    const runEvents = events.filter((event) => event.envelope.event.summary === 'run');
    const left = events.length - runEvents.length;
    if (left > 0) {
      this.#notSpooled += left;
      this.#log.info(`HEC: ${left} summar${left === 1 ? 'y' : 'ies'} not spooled (${this.#notSpooled} in all): this run is not committed, so running the same command again builds and sends them`);
    }
    await this.#spoolEvents(runEvents);
  }

  /** Events that could be neither delivered nor spooled, said once per call (the run fails with the reason). */
  #notKept(count: number): void {
    this.#notSpooled += count;
    if (count > 0) this.#log.warn(`HEC: ${count} event${count === 1 ? '' : 's'} neither delivered nor spooled (${this.#notSpooled} in all): the spool could not be used`);
  }

  async #spoolEvents(events: readonly QueuedEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.#spoolTurns.use(() => this.#spool.add(events.map((event) => event.json)));
    } catch (error) {
      if (error === this.#spoolTurns.refused) this.#notKept(events.length);
      throw error;
    }
    this.#stats.eventsSpooled += events.length;
    const message = `HEC: ${events.length} event${events.length === 1 ? '' : 's'} spooled to ${this.#spool.ownFile}; the next run sends them (unless it builds the same summaries again)`;
    // Once HEC is down, every later chunk of the run is spooled too: one warning says it, the rest are info.
    if (this.#spoolWarned) this.#log.info(message);
    else this.#log.warn(message);
    this.#spoolWarned = true;
  }

  /** The caller's quarantine when it gave one; else the spool's rejected file, so no refused event is lost. */
  #rejectedEventKeeper(deps: HecSinkDeps): KeepRejectedEvent {
    const handler = deps.onRejectedEvent;
    if (handler) {
      const where = deps.quarantineFile === undefined ? 'quarantined' : `quarantined to ${deps.quarantineFile}`;
      return async (envelope, rejection) => {
        await handler(envelope, rejection);
        return where;
      };
    }
    return async (envelope: SummaryEnvelope, rejection: HecEventRejection) => {
      const line = JSON.stringify({ reason: rejectionReason(rejection), envelope });
      return `kept in ${await this.#spool.setAside([line])}`;
    };
  }

  /** The envelope with index, sourcetype and source from flags/config when they are set. */
  #withMetadata(envelope: SummaryEnvelope): SummaryEnvelope {
    const { index, sourcetype, source } = this.#config;
    if (index === undefined && sourcetype === undefined && source === undefined) return envelope;
    return {
      ...envelope,
      ...(source === undefined ? {} : { source }),
      ...(sourcetype === undefined ? {} : { sourcetype }),
      ...(index === undefined ? {} : { index }),
    };
  }
}
