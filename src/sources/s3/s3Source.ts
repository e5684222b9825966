import { Readable } from 'node:stream';
import { GetObjectCommand, paginateListObjectsV2, type S3Client, type _Object } from '@aws-sdk/client-s3';
import type { InputObject, Source } from '../inputObject';
import { dayRangeFilter, type DayRange } from '../datePath';
import { stallMsOf } from '../../aws/s3ClientOptions';
import { S3ReadError, S3StallError, describeS3Failure } from './s3Errors';
import { formatS3Url, parseS3Url, type S3Location } from '../../aws/s3Url';
import { prefetchPages } from './pagePrefetch';
import { WatchedBody } from './watchedBody';
import { SYSTEM_TIMERS, type WatchdogTimers } from './watchdogTimers';
import { InputFilter } from '../inputFilter';
import type { S3InputSet } from './s3InputSet';

/** Times one listing page may fail transiently (after the SDK's own retries) before the run fails. */
const LIST_PAGE_ATTEMPTS = 3;

export interface S3SourceOptions {
  /** `s3://bucket/prefix` or an already parsed location. */
  readonly url: string | S3Location;
  readonly client: S3Client;
  /** Read only keys whose `YYYY/MM/DD` path is within a day of this range (keys without one are always read). */
  readonly dayRange?: DayRange;
  /** Seconds without a byte before a read or listing page counts as stalled; default 60. */
  readonly stallSeconds?: number;
  /** --include/--exclude, matched against each key relative to the prefix; default: the default exclusions. */
  readonly filter?: InputFilter;
  /** Keys per listing page (S3's maximum and default is 1000). */
  readonly pageSize?: number;
  /** The custom endpoint, only for messages. */
  readonly endpoint?: string;
  /** Destroy the client (and its sockets) on `close()`; set when the source created it. */
  readonly ownsClient?: boolean;
  /** The stall watchdogs' clock; the system's timers by default. */
  readonly timers?: WatchdogTimers;
  /** The run's S3 inputs: an object another input lists too is read under the first one only. */
  readonly inputs?: S3InputSet;
}

/**
 * One listed object; `open()` issues a fresh GetObject each time, so a failed read can be retried.
 * The caller must read the returned stream to its end or destroy it: an abandoned body keeps a socket.
 */
class S3InputObject implements InputObject {
  readonly name: string;
  constructor(
    private readonly source: S3Source,
    readonly key: string,
    readonly size: number | undefined,
    readonly version: string | undefined,
  ) {
    this.name = formatS3Url(source.bucket, key);
  }

  open(): Promise<Readable> {
    return this.source.openObject(this.key, this.name);
  }
}

/** Objects under an S3 prefix, listed page by page while earlier objects are already being read. */
export class S3Source implements Source {
  readonly input: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #keep: (key: string) => boolean;
  readonly #filter: InputFilter;
  readonly #stallMs: number;
  readonly #pageSize: number | undefined;
  readonly #endpoint: string | undefined;
  readonly #ownsClient: boolean;
  readonly #timers: WatchdogTimers;
  readonly #inputs: S3InputSet | undefined;
  readonly #location: S3Location;
  /** The objects list() left out because an earlier input listed them. */
  #listedByAnotherInput = 0;

  constructor(options: S3SourceOptions) {
    const location = typeof options.url === 'string' ? parseS3Url(options.url) : options.url;
    this.bucket = location.bucket;
    this.prefix = location.prefix;
    this.input = formatS3Url(location.bucket, location.prefix);
    this.#client = options.client;
    this.#keep = dayRangeFilter(options.dayRange);
    this.#filter = options.filter ?? new InputFilter();
    this.#stallMs = stallMsOf(options);
    this.#pageSize = options.pageSize;
    this.#endpoint = options.endpoint;
    this.#ownsClient = options.ownsClient ?? false;
    this.#timers = options.timers ?? SYSTEM_TIMERS;
    this.#inputs = options.inputs;
    this.#location = location;
    this.#inputs?.add(location);
  }

  get listedByAnotherInput(): number {
    return this.#listedByAnotherInput;
  }

  async *list(): AsyncGenerator<InputObject> {
    // Asked once every input is known (a run resolves them all before listing the first).
    const shared = this.#inputs?.overlaps(this.#location) ? this.#inputs : undefined;
    // Continuation token of the next page to fetch; a failed page is re-fetched from it.
    let token: string | undefined;
    let failures = 0;
    for (;;) {
      const watchdog = new AbortController();
      let timer: unknown;
      const onWait = (waiting: boolean) => {
        this.#timers.clear(timer);
        timer = waiting ? this.#timers.set(() => watchdog.abort(), this.#stallMs) : undefined;
      };
      const pages = paginateListObjectsV2(
        { client: this.#client, pageSize: this.#pageSize, startingToken: token },
        { Bucket: this.bucket, Prefix: this.prefix || undefined },
        { abortSignal: watchdog.signal },
      );
      try {
        for await (const page of prefetchPages(pages, onWait)) {
          failures = 0;
          token = page.NextContinuationToken;
          for (const entry of page.Contents ?? []) {
            const object = this.#toInputObject(entry);
            if (object === undefined) continue;
            if (shared !== undefined && !shared.firstListing(this.#location, object.key)) {
              this.#listedByAnotherInput++;
              continue;
            }
            yield object;
          }
        }
        return;
      } catch (err) {
        const failure = watchdog.signal.aborted
          ? new S3StallError(`no listing page from ${this.input} for ${this.#stallMs / 1000} s`, this.input, { cause: err, reason: `no listing page for ${this.#stallMs / 1000} s` })
          : describeS3Failure(err, { operation: 'list', url: this.input, bucket: this.bucket, endpoint: this.#endpoint, stallMs: this.#stallMs });
        if (!(failure instanceof S3ReadError)) throw failure;
        if (++failures >= LIST_PAGE_ATTEMPTS) {
          // S3 failing, not the configuration: the last attempt's class and code (ERR_S3_REQUEST, ERR_S3_STALL), as a
          // GetObject that still fails after its re-reads ends; the input named once.
          const Failure = failure.constructor as new (...args: ConstructorParameters<typeof S3ReadError>) => S3ReadError;
          throw new Failure(`listing ${this.input} failed ${failures} times: ${failure.reason}`, this.input, { cause: failure, reason: failure.reason });
        }
      } finally {
        this.#timers.clear(timer);
        watchdog.abort(); // a consumer that stopped early leaves a prefetched page in flight
      }
    }
  }

  /** Frees the client's sockets when this source created the client. */
  close(): void {
    if (this.#ownsClient) this.#client.destroy();
  }

  /** @internal GetObject with a watched body; used by the listed objects' `open()`. */
  async openObject(key: string, name: string): Promise<Readable> {
    let body: unknown;
    try {
      ({ Body: body } = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })));
    } catch (err) {
      throw describeS3Failure(err, { operation: 'get', url: name, bucket: this.bucket, endpoint: this.#endpoint, stallMs: this.#stallMs });
    }
    if (body === undefined) return Readable.from([]);
    if (!(body instanceof Readable)) throw new Error(`GetObject for ${name} returned a ${typeof body} body, not a stream`);
    return new WatchedBody(body, { name, stallMs: this.#stallMs, timers: this.#timers });
  }

  #toInputObject(entry: _Object): S3InputObject | undefined {
    const key = entry.Key;
    if (key === undefined) return undefined;
    // Zero-byte keys ending in "/" are folder placeholders made by consoles and sync tools.
    if (key.endsWith('/') && (entry.Size ?? 0) === 0) return undefined;
    if (!this.#keep(key)) return undefined;
    // A key that is the whole URL was asked for by name; the others are matched relative to the prefix when it
    // names a folder, else relative to the folder it is in (s3://b/logs/2024 lists logs/2024-01.gz as 2024-01.gz,
    // not as the dotfile-looking -01.gz).
    const rest = key.slice(this.prefix.length);
    const inFolder = this.prefix === '' || this.prefix.endsWith('/') || rest.startsWith('/');
    const relative = inFolder ? rest.replace(/^\/+/, '') : key.slice(this.prefix.lastIndexOf('/') + 1);
    if (key !== this.prefix && !this.#filter.admits(relative)) return undefined;
    const version = entry.ETag?.replace(/^"(.*)"$/, '$1');
    return new S3InputObject(this, key, entry.Size, version);
  }
}
