import type { DailyEvent, SummaryEnvelope } from '../rollup/summaryEvent';
import type { SummarySink } from '../sinks/summarySink';

/** Summaries handed to the sinks at once (a little more: a tenant-day's stay together); HEC cuts them into requests. */
export const SUMMARY_CHUNK = 1000;

/**
 * Hands a run's summaries to its sinks as the summary pass builds them, a chunk at a time (`more` set), so a
 * year's backfill never holds all of them; then, in finish(), what is left without `more` (possibly nothing), which
 * lets a sink end its delivery: HEC settles its acknowledgements, then resends what of its spool this run did not
 * build again.
 *
 * Once a sink fails, the run fails and is not committed, so the next run sends the summaries again. That sink and
 * those before it (the --output file comes before HEC) still get every chunk: a HEC sink that met a fatal error
 * spools what it is given, as it spools the rest of a delivery it could not finish. The sinks after it get nothing
 * more, as the next run sends them everything anyway.
 */
export class SummaryHandOver {
  /** Events the sinks kept for the next run. */
  spooled = 0;
  /** Events a sink refused for good (set aside). */
  refused = 0;
  /** Summaries handed over (to the first sink at least). */
  handedOver = 0;
  /** The daily summaries, one per tenant-day, for the per-day table (when kept). */
  readonly dailies: DailyEvent[] = [];
  /** The first error a sink threw. */
  failure: Error | undefined;
  #chunk: SummaryEnvelope[] = [];
  #sinksReached: number;

  constructor(
    private readonly sinks: readonly SummarySink[],
    private readonly keepDailies = true,
  ) {
    this.#sinksReached = sinks.length;
  }

  /** A tenant-day's summaries, as the pass emits them. */
  async add(day: readonly SummaryEnvelope[]): Promise<void> {
    if (this.keepDailies) for (const envelope of day) if (envelope.event.summary === 'daily') this.dailies.push(envelope.event);
    // A loop, not push(...day): a day's summaries may outnumber what a call's arguments can hold.
    for (const envelope of day) this.#chunk.push(envelope);
    if (this.#chunk.length < SUMMARY_CHUNK) return;
    const full = this.#chunk;
    this.#chunk = [];
    await this.#deliver(full, true);
  }

  /**
   * The last call of the summaries, or of a part's (`checkpoint`: more parts follow): what is left, without `more`.
   */
  finish(options: { checkpoint?: boolean } = {}): Promise<void> {
    const rest = this.#chunk;
    this.#chunk = [];
    return this.#deliver(rest, false, options.checkpoint === true);
  }

  async #deliver(events: readonly SummaryEnvelope[], more: boolean, checkpoint = false): Promise<void> {
    for (let i = 0; i < this.#sinksReached; i++) {
      try {
        const result = await this.sinks[i]!.deliver(events, checkpoint ? { more, checkpoint } : { more });
        this.spooled += result.spooled;
        this.refused += result.rejected ?? 0;
      } catch (err) {
        this.failure ??= err as Error;
        this.#sinksReached = i + 1;
      }
    }
    this.handedOver += events.length;
  }
}
