import type { InputObject, Source } from '../sources/inputObject';
import type { ObjectIndex } from '../state/objectIndex';
import { readAhead } from '../support/readAhead';
import type { Logger } from '../support/logger';
import type { ProgressReporter } from './progressReporter';

/** What a run reads, listed whole before its first object is read: its bytes, when every object's size is known. */
export interface ListedInput {
  readonly bytes: number | undefined;
}

/**
 * Objects listed ahead of reading at most, from a source listed page by page (S3): enough for the total (and an ETA)
 * to be known early on most prefixes, with a bound on what the listing holds (a few hundred bytes an object).
 * A source that lists whole (a local folder) is always taken whole.
 */
export const LIST_AHEAD_LIMIT = 100_000;

export interface RunListingOptions {
  inputs: readonly string[];
  openSource(input: string): Source;
  /** --from/--to were given (an empty input is then less alarming). */
  dayBounded: boolean;
  /**
   * The days this run reads, as the ledger keeps them (readDaysKey of --from/--to; undefined for every day): an
   * object the ledger has for these days is skipped, and one with records outside them is recorded for them.
   */
  readDays?: string;
  /** The state's ledger (with --state): objects it has read are skipped. */
  state?: { readonly objects: Pick<ObjectIndex, 'isUnchanged' | 'countedFor'> };
  /** Lists only the objects this says yes to (a shard's own), given the object and the input it was listed under. */
  selects?(object: InputObject, input: string): boolean;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  log: Logger;
}

/**
 * The objects a run reads, listed once however many parts the run reads them in. A part that ends at a checkpoint
 * hands back the object it took but did not start (holdBack), and the next part goes on from there: listing the
 * input again for each part would cost a backfill of N objects N / 250 listings of all of them, and count the keys
 * --include/--exclude leave out once a part.
 */
export class RunListing {
  /** Objects the state's ledger already holds (read by an earlier run), passed over so far. */
  skipped = 0;
  private readonly options: RunListingOptions;
  private iterator: AsyncIterator<InputObject> | undefined;
  private held: InputObject | undefined;
  private listedWhole: ListedInput | undefined;
  /** Whether the source being listed holds its whole listing anyway; else the list-ahead stops at LIST_AHEAD_LIMIT. */
  private listingWhole = false;

  constructor(options: RunListingOptions) {
    this.options = options;
  }

  /** The whole input, once it was listed before the first object was read (local folders); else undefined. */
  get whole(): ListedInput | undefined {
    return this.listedWhole;
  }

  /** The next object to read, or undefined when the listing has ended. Throws what listing the input threw. */
  async next(): Promise<InputObject | undefined> {
    if (this.held !== undefined) {
      const object = this.held;
      this.held = undefined;
      return object;
    }
    this.iterator ??= this.start();
    const next = await this.iterator.next();
    return next.done ? undefined : next.value;
  }

  /** Gives back the object next() returned last, unread: the next call returns it again. */
  holdBack(object: InputObject): void {
    this.held = object;
  }

  /** Stops listing (a page still being fetched is not waited for). */
  close(): void {
    this.held = undefined;
    // Not awaited: a generator in the middle of fetching a page returns only once that page is in.
    this.iterator?.return?.()?.catch(() => undefined);
  }

  private start(): AsyncIterator<InputObject> {
    const sources = this.options.inputs.map((input) => ({ input, source: this.options.openSource(input) }));
    const listsWhole = sources.every(({ source }) => source.listsWhole === true);
    // Listed ahead of reading, so the progress display knows the total from the start (and an ETA).
    const listed = listsWhole ? this.wholeListing(sources) : this.listedObjects(sources);
    return readAhead(listed, (queued) => !this.listingWhole && queued >= LIST_AHEAD_LIMIT, this.options.signal)[Symbol.asyncIterator]();
  }

  private async *listedObjects(sources: ReadonlyArray<{ input: string; source: Source }>): AsyncGenerator<InputObject> {
    const { options } = this;
    for (const { input, source } of sources) {
      let listed = 0;
      this.listingWhole = source.listsWhole === true;
      for await (const object of source.list()) {
        listed++;
        if (options.selects && !options.selects(object, input)) continue;
        if (options.state?.objects.isUnchanged(object, options.readDays)) {
          this.skipped++;
          continue;
        }
        options.progress?.objectListed(object.size);
        yield object;
      }
      // An empty folder or prefix is more often a wrong path or a stopped log stream than a quiet day. With
      // --from/--to, S3 listing already leaves out keys dated outside the days, so there it may be expected.
      const elsewhere = source.listedByAnotherInput ?? 0;
      if (listed === 0 && elsewhere > 0) {
        options.log.info({ input, objects: elsewhere }, 'input holds only files or objects an earlier input listed: each is read once');
      } else if (listed === 0) {
        if (!options.dayBounded) options.log.warn({ input }, 'input holds no files or objects: check the path or prefix');
        else options.log.info({ input }, 'input holds no files or objects for the --from/--to days');
      }
    }
    options.progress?.listingDone();
  }

  /** Local folders only: every object is listed (and the total known) before the first one is read. */
  private async *wholeListing(sources: ReadonlyArray<{ input: string; source: Source }>): AsyncGenerator<InputObject> {
    const objects: InputObject[] = [];
    let bytes: number | undefined = 0;
    for await (const object of this.listedObjects(sources)) {
      objects.push(object);
      bytes = bytes === undefined || object.size === undefined ? undefined : bytes + object.size;
    }
    this.listedWhole = { bytes };
    yield* objects;
  }
}
