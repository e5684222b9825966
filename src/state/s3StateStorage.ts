import { createWriteStream, mkdirSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errnoCode } from '../support/errnoCode';
import { ByteBudget } from '../support/byteBudget';
import { forEachConcurrent } from '../support/forEachConcurrent';
import { scratchDirFor } from '../support/scratchDir';
import { createS3Client } from '../aws/s3Client';
import { stallMsOf, type S3ClientOptions } from '../aws/s3ClientOptions';
import { cannotReachText, isNoAnswer, noCredentialsText, noResponseText, notAnS3ReplyText, s3FailureFacts, serviceFailureText, transientFailureText, UNREACHABLE_CODES } from '../aws/s3NetworkFailure';
import { formatS3Url, parseS3Url } from '../aws/s3Url';
import { isRetryableReadError, S3BodyError, S3StallError, WHOLE_READ_RETRIES } from '../sources/s3/s3Errors';
import { WatchedBody } from '../sources/s3/watchedBody';
import type { WatchdogTimers } from '../sources/s3/watchdogTimers';
import type { Logger } from '../support/logger';
import { StateIoError, stateDamaged } from './stateErrors';
import { FILES_AT_ONCE, type PublishedFile, type StateStorage } from './stateStorage';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const FETCH_CONCURRENCY = 8;
/** Bytes of staged files held in memory for uploads at once (one larger file still goes, alone). */
const PUBLISH_BYTES_AT_ONCE = 64 * 1024 * 1024;

/** What messages say of the store: the endpoint given, if any (else AWS's own), and the stall timeout in ms. */
interface StoreTerms {
  readonly endpoint: string | undefined;
  readonly stallMs: number;
}

/**
 * One line about an SDK failure, worded as the input side words its own (see describeS3Failure): what was asked of
 * which state file, then `HTTP 500 InternalError`, `ECONNRESET`, no answer in time, an endpoint that cannot be
 * reached and what to check, or what the service said, cut short and redacted: an endpoint may echo the signed request
 * in its answer. Never the request, nor the SDK's own wording (`TimeoutError: read ECONNRESET`).
 */
function describe(operation: string, url: string, error: unknown, { endpoint, stallMs }: StoreTerms): StateIoError {
  const facts = s3FailureFacts(error);
  const failed = (why: string) => new StateIoError(`${operation} ${url} failed: ${why}`, { cause: error });
  if (isNoAnswer(facts)) return failed(noResponseText(endpoint, stallMs));
  const transient = transientFailureText(facts);
  if (transient !== undefined) return failed(transient);
  if (UNREACHABLE_CODES.has(facts.code)) return failed(cannotReachText(endpoint, facts.code));
  // Said as the input side says it, with what to set: not the SDK's `CredentialsProviderError: Could not load …`.
  if (facts.name === 'CredentialsProviderError') return new StateIoError(noCredentialsText(url), { cause: error });
  const notS3 = notAnS3ReplyText(facts, endpoint, url);
  if (notS3 !== undefined) return new StateIoError(notS3, { cause: error });
  return failed(serviceFailureText(facts) || 'unknown error');
}

/**
 * A watched body's failure (watchedBody.ts) as a failed read of `url`: a stall as one part-way, unlike a wait for
 * headers (describe); a break by its cause, as describe words a request's (`ECONNRESET`).
 */
function bodyFailure(url: string, error: unknown, terms: StoreTerms): StateIoError {
  if (error instanceof S3StallError) {
    return new StateIoError(`reading ${url} failed: no data from its body within the stall timeout (${terms.stallMs / 1000} s)`, { cause: error });
  }
  return describe('reading', url, error instanceof S3BodyError ? error.cause : error, terms);
}

function isMissing(error: unknown): boolean {
  const e = error as SdkError;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * A staged file that cannot be read fails the commit as the state's own I/O, worded as the local back end's move:
 * the file and the object it was to become, and why in one word, rather than Node's bare ENOENT.
 */
function stagedFileFailure(localFile: string, url: string): (error: unknown) => never {
  return (error) => {
    throw new StateIoError(`cannot move ${localFile} to ${url}: ${errnoCode(error)}`, { cause: error });
  };
}

export interface S3StateOptions extends S3ClientOptions {
  /** The clock of the bodies' stall watch; the system's timers by default. */
  readonly timers?: WatchdogTimers;
  /** Where what the storage gets over is said (a state file read again, a staged file it could not remove); unsaid without it. */
  readonly logger?: Pick<Logger, 'warn'>;
}

/**
 * A state under an S3 prefix. Every object is written whole by one PUT (S3 replaces objects atomically and
 * reads are strongly consistent), so the manifest, written last, switches a commit over in one step.
 * Files needed synchronously during a run are copied to a local folder first (fetchLocal).
 */
export class S3StateStorage implements StateStorage {
  readonly location: string;
  private readonly bucket: string;
  private readonly base: string;
  private readonly client: S3Client;
  private readonly localDir: string;
  private readonly fetched = new Set<string>();
  private readonly terms: StoreTerms;
  private readonly timers: WatchdogTimers | undefined;
  private readonly logger: Pick<Logger, 'warn'> | undefined;

  constructor(url: string, options: S3StateOptions = {}) {
    this.terms = { endpoint: options.endpoint, stallMs: stallMsOf(options) };
    this.timers = options.timers;
    this.logger = options.logger;
    const { bucket, prefix } = parseS3Url(url);
    this.bucket = bucket;
    this.base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.location = formatS3Url(bucket, this.base);
    this.client = createS3Client(options);
    this.localDir = scratchDirFor('state');
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: this.base || undefined })) {
        for (const entry of page.Contents ?? []) if (entry.Key !== undefined) names.push(entry.Key.slice(this.base.length));
      }
    } catch (error) {
      throw describe('listing', this.location, error, this.terms);
    }
    return names.filter((name) => name !== '' && !name.endsWith('/')).sort();
  }

  async read(name: string): Promise<Buffer | undefined> {
    return (await this.readVersioned(name))?.data;
  }

  async modifiedAt(name: string): Promise<Date | undefined> {
    try {
      const reply = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name) }));
      return reply.LastModified;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw describe('reading', this.urlOf(name), error, this.terms);
    }
  }

  async write(name: string, data: Buffer): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name), Body: data, ContentLength: data.length }));
    } catch (error) {
      throw describe('writing', this.urlOf(name), error, this.terms);
    }
  }

  async create(name: string, data: Buffer): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name), Body: data, ContentLength: data.length, IfNoneMatch: '*' }),
      );
      return true;
    } catch (error) {
      const status = (error as SdkError).$metadata?.httpStatusCode;
      if (status === 412 || status === 409) return false;
      throw describe('writing', this.urlOf(name), error, this.terms);
    }
  }

  async readVersioned(name: string): Promise<{ data: Buffer; version: string } | undefined> {
    return this.readBody(name, async ({ body, version }) => ({ data: await buffer(body), version }));
  }

  async replace(name: string, data: Buffer, version: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name), Body: data, ContentLength: data.length, IfMatch: version }),
      );
      return true;
    } catch (error) {
      const status = (error as SdkError).$metadata?.httpStatusCode;
      // 412: changed since; 404: gone; 409: a concurrent conditional write won.
      if (status === 412 || status === 404 || status === 409 || isMissing(error)) return false;
      throw describe('writing', this.urlOf(name), error, this.terms);
    }
  }

  async publish(files: readonly PublishedFile[]): Promise<void> {
    // Each upload holds its file in memory: a large tenant's day files are tens of MB, so what is read at once is
    // bounded by bytes as well as by count.
    const budget = new ByteBudget(PUBLISH_BYTES_AT_ONCE);
    await forEachConcurrent(files, FILES_AT_ONCE, async ({ localFile, name }) => {
      const unreadable = stagedFileFailure(localFile, this.urlOf(name));
      const { size } = await fs.stat(localFile).catch(unreadable);
      await budget.take(size);
      try {
        await this.write(name, await fs.readFile(localFile).catch(unreadable));
      } finally {
        budget.give(size);
      }
      // Uploaded, the file is published: what is left is this run's own copy in its scratch folder, removed with the
      // folder when the run ends. One that cannot be removed now is said, and does not undo the commit.
      await fs.rm(localFile, { force: true }).catch((error: unknown) =>
        this.logger?.warn({ file: localFile, object: this.urlOf(name), err: errnoCode(error) }, 'could not remove a staged state file after its upload'),
      );
    });
  }

  async remove(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name) }));
    } catch (error) {
      if (!isMissing(error)) throw describe('deleting', this.urlOf(name), error, this.terms);
    }
  }

  localPath(name: string): string | undefined {
    return this.fetched.has(name) ? this.cachePath(name) : undefined;
  }

  async fetchLocal(names: readonly string[]): Promise<void> {
    // Once each: two downloads of one name would share its temporary file.
    const wanted = [...new Set(names)].filter((name) => !this.fetched.has(name));
    await forEachConcurrent(wanted, FETCH_CONCURRENCY, async (name) => {
      await this.download(name, this.cachePath(name));
      this.fetched.add(name);
    });
  }

  scratchDir(token: string): string {
    return path.join(this.localDir, `staging-${token}`);
  }

  async close(): Promise<void> {
    this.client.destroy();
    await fs.rm(this.localDir, { recursive: true, force: true });
  }

  /**
   * Streams `name` to `file`: a large tenant-day's log_ids are tens of MB, and eight of them read whole at once added
   * hundreds of MB to the run's peak. The bytes go to a temporary name beside `file`, renamed once whole and removed
   * on failure, so a download cut short never stands at `file`. No fsync: the copy lives only as long as this run.
   */
  private async download(name: string, file: string): Promise<void> {
    const copied = await this.readBody(name, async ({ body }) => {
      const temporary = `${file}.part`;
      let readFailed = false;
      try {
        mkdirSync(path.dirname(file), { recursive: true });
        const copy = createWriteStream(temporary);
        // pipeline() destroys both streams with the first failure: the copy's was its own while the body stood, or
        // once the body had come in whole (a body that ended is destroyed too, and a full disk may answer after that).
        let copyFailed = false;
        copy.once('error', () => (copyFailed = body.readableEnded || !body.destroyed));
        await pipeline(body, copy).catch((error: unknown) => {
          readFailed = !copyFailed;
          throw error;
        });
        await fs.rename(temporary, file);
        return true;
      } catch (error) {
        await fs.rm(temporary, { force: true }).catch(() => undefined);
        if (readFailed) throw error;
        throw new StateIoError(`cannot write the local copy ${file} of ${this.urlOf(name)}: ${errnoCode(error)}`, { cause: error });
      }
    });
    if (copied === undefined) throw stateDamaged(`the state ${this.location} is incomplete: ${name} is missing`);
  }

  /**
   * What `use` makes of `name`'s body; undefined when `name` is missing. The SDK's retries end with the headers, so
   * a body that stalls or breaks part-way is read again from the start here, as an input object is (readObjects):
   * up to WHOLE_READ_RETRIES more times, each said in a warning, then the last failure as a failed read of `name`.
   * `use` fails with the body's own error, or with a StateIoError of its own (a local copy), which is not retried.
   */
  private async readBody<T>(name: string, use: (object: { body: Readable; version: string }) => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      const object = await this.get(name);
      if (object === undefined) return undefined;
      try {
        return await use(object);
      } catch (error) {
        // Destroyed, which frees its socket.
        object.body.destroy();
        if (error instanceof StateIoError) throw error;
        const failure = bodyFailure(this.urlOf(name), error, this.terms);
        if (!isRetryableReadError(error) || attempt > WHOLE_READ_RETRIES) throw failure;
        this.logger?.warn({ object: this.urlOf(name), attempt, err: failure.message }, 're-reading state file from the start');
      }
    }
  }

  /**
   * GetObject of `name`, undefined when it is missing. The SDK's timeout ends at the response headers: the body is
   * watched (watchedBody.ts), else one that stops sending would hold the run, and its socket, for good.
   */
  private async get(name: string): Promise<{ body: Readable; version: string } | undefined> {
    let reply;
    try {
      reply = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name) }));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw describe('reading', this.urlOf(name), error, this.terms);
    }
    const body: unknown = reply.Body;
    const version = reply.ETag ?? '';
    if (body === undefined) return { body: Readable.from([]), version };
    if (!(body instanceof Readable)) throw new StateIoError(`reading ${this.urlOf(name)} failed: the SDK returned a ${typeof body} body, not a stream`);
    return { body: new WatchedBody(body, { name: this.urlOf(name), stallMs: this.terms.stallMs, timers: this.timers }), version };
  }

  private keyOf(name: string): string {
    return this.base + name;
  }

  private urlOf(name: string): string {
    return formatS3Url(this.bucket, this.keyOf(name));
  }

  private cachePath(name: string): string {
    return path.join(this.localDir, 'cache', ...name.split('/'));
  }
}
