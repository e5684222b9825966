import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { statsTimezoneOf, type Auth0Config, type UsageConfig } from '../config/schema';
import { DayAggregate, DayAggregateFormatError } from '../rollup/dayAggregate';
import type { RunEvent } from '../rollup/summaryEvent';
import type { Logger } from '../support/logger';
import { canonicalTimeZone } from '../support/timeZone';
import type { S3ClientOptions } from '../aws/s3ClientOptions';
import type { DaySlot, StoredDays } from '../rollup/dayStore';
import { decodeLogIds } from '../rollup/logIdFile';
import type { LogIdSet } from '../rollup/logIdSet';
import { CommitStaging } from './commitStaging';
import type { ObjectIndex } from './objectIndex';
import { commitRun, sweepState, type CommitInput } from './stateCommit';
import { stateDamaged, StateError, stateReadFailure } from './stateErrors';
import { LAST_RUN_NAME, STAGING_PREFIX } from './stateLayout';
import { checkComplete, openStateStorage, readManifest, readObjectIndex } from './stateLoad';
import { StateLock } from './stateLock';
import { rollupConfigFingerprint, type DayRecord, type StateManifest } from './stateManifest';
import type { StateStorage } from './stateStorage';

export const DEFAULT_DEDUP_DAYS = 45;
export const DEFAULT_LOCK_EXPIRY_MINUTES = 2;

export interface RunStateOptions {
  /** A local folder or an s3://bucket/prefix URL. */
  location: string;
  /** Client options when the location is on S3 (the same as the inputs'). */
  s3?: S3ClientOptions;
  timezone: string;
  config: Pick<UsageConfig, 'tenant' | 'categories' | 'nonBillableAudiences'> & { auth0?: Pick<Auth0Config, 'statsTimezone'> };
  /** The run's --from/--to: only those days' log_ids are fetched from S3. */
  from?: string;
  to?: string;
  /** log_ids of days older than this many days (before the newest day) are pruned. */
  dedupDays?: number;
  /** The lock's lease: without a heartbeat for this long it is taken over. */
  lockExpiryMs?: number;
  /** Waits while another run's lock is judged (tests). */
  sleep?(ms: number): Promise<void>;
  /** Ends a wait for another run's lock (a stop signal): open() then throws the signal's reason. */
  signal?: AbortSignal;
  now?: () => Date;
  logger?: Logger;
}

/** A state opened for one run: locked, its manifest read and checked. Release it when the run is done. */
export class RunState implements StoredDays {
  private released = false;
  private staging: CommitStaging | undefined;
  /** The generation of this run's latest commit (a checkpoint, or its last), once it made one. */
  private committedGeneration: number | undefined;

  private constructor(
    /** Where the state lives (a merge reads the shards' partials beside it, under the same lock). */
    readonly storage: StateStorage,
    private readonly lock: StateLock,
    private manifest: StateManifest | undefined,
    readonly objects: ObjectIndex,
    private readonly options: RunStateOptions & { dedupDays: number; now: () => Date },
    readonly token: string,
  ) {}

  static async open(options: RunStateOptions): Promise<RunState> {
    const settings = { ...options, dedupDays: options.dedupDays ?? DEFAULT_DEDUP_DAYS, now: options.now ?? (() => new Date()) };
    const storage = openStateStorage(options.location, options.s3, options.logger);
    let lock: StateLock | undefined;
    try {
      // Checked before locking, so a foreign folder never gets a lock file written into it.
      checkUsable(storage, await readManifest(storage), settings);
      lock = await StateLock.acquire(storage, {
        expiryMs: options.lockExpiryMs ?? DEFAULT_LOCK_EXPIRY_MINUTES * 60_000,
        now: settings.now,
        sleep: options.sleep,
        signal: options.signal,
        onWait: (owner, takenOverBy) =>
          options.logger?.info(
            { state: storage.location, owner: owner ?? 'empty or unreadable', takenOverBy: takenOverBy.toISOString() },
            'the state is locked; waiting to see whether its heartbeat moves (taken over if not)',
          ),
        onTakeover: (owner) => options.logger?.warn({ state: storage.location, owner }, 'took over a stale state lock'),
      });
      const manifest = await readManifest(storage);
      checkUsable(storage, manifest, settings);
      const stored = manifest ? await storage.list() : [];
      if (manifest) checkComplete(storage, manifest, stored);
      const objects = await readObjectIndex(storage, manifest);
      const token = randomUUID().slice(0, 8);
      const state = new RunState(storage, lock, manifest, objects, settings, token);
      await storage.fetchLocal(
        (manifest?.days ?? [])
          .filter((day) => state.idsUsable(day) && (options.from === undefined || day.day >= options.from) && (options.to === undefined || day.day <= options.to))
          .map((day) => day.logIds!),
      );
      return state;
    } catch (error) {
      await lock?.release().catch(() => undefined);
      await storage.close();
      throw error;
    }
  }

  get location(): string {
    return this.storage.location;
  }

  /** The committed manifest (undefined before the first commit). */
  get committed(): StateManifest | undefined {
    return this.manifest;
  }

  /** This run's scratch folder: evicted days and the files the commit publishes. */
  get scratchDir(): string {
    return this.storage.scratchDir(this.token);
  }

  /** Writes a changed day, merged by the summary pass, to the scratch folder for the commit to publish. */
  stageDay(slot: DaySlot, merged: DayAggregate, ids: LogIdSet): void {
    this.staging ??= new CommitStaging(path.join(this.scratchDir, 'commit'));
    this.staging.stage(slot, merged, ids);
  }

  records(): Iterable<DayRecord> {
    return this.manifest?.days ?? [];
  }

  /**
   * Whether a committed day's log_ids take part in de-duplication: whenever the state still keeps them. Commits prune
   * by --dedup-days; a day whose log_ids a commit kept (a checkpoint keeps every day's) is consulted whatever day is
   * the newest now, so a run stopped after a checkpoint that moved the newest day ahead, and run again, finds the
   * same duplicates as one uninterrupted run.
   */
  idsUsable(record: DayRecord): boolean {
    return record.logIds !== null;
  }

  readLogIdsSync(record: DayRecord): LogIdSet {
    const file = record.logIds === null ? undefined : this.storage.localPath(record.logIds);
    if (file === undefined) throw new StateError(`log_ids of ${record.tenant} ${record.day} were not fetched from ${this.location}`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw stateReadFailure(this.location, record.logIds!, error);
    }
    try {
      return decodeLogIds(bytes);
    } catch (error) {
      throw stateDamaged(`the state is corrupt: log_ids of ${record.tenant} ${record.day} (${record.logIds}): ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async readAggregate(record: DayRecord): Promise<DayAggregate> {
    const bytes = await this.storage.read(record.aggregate);
    if (bytes === undefined) throw stateDamaged(`the state ${this.location} is incomplete: ${record.aggregate} is missing`);
    try {
      return DayAggregate.fromJSON(JSON.parse(bytes.toString('utf8')));
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof DayAggregateFormatError) {
        throw stateDamaged(`the state ${this.location} is corrupt: ${record.aggregate}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Commits the run (after its summaries were delivered), then sweeps what the new manifest does not name. A
   * checkpoint commits the part read so far; the run goes on against the new manifest, its log_ids fetched.
   */
  async commit(input: Omit<CommitInput, 'staged'>): Promise<void> {
    await this.lock.verify();
    const now = this.options.now();
    const manifest = await commitRun(
      {
        storage: this.storage,
        previous: this.manifest,
        objects: this.objects,
        timezone: this.options.timezone,
        statsTimezone: statsTimezoneOf(this.options.config),
        rollupConfig: rollupConfigFingerprint(this.options.config),
        token: this.token,
        dedupDays: this.options.dedupDays,
        today: DateTime.fromJSDate(now, { zone: this.options.timezone }).toISODate()!,
        now,
      },
      { ...input, staged: this.staging?.days ?? [] },
    );
    this.manifest = manifest;
    this.committedGeneration = manifest.generation;
    if (input.checkpoint) {
      const { from, to } = this.options;
      await this.storage.fetchLocal(
        manifest.days
          .filter((day) => this.idsUsable(day) && (from === undefined || day.day >= from) && (to === undefined || day.day <= to))
          .map((day) => day.logIds!),
      );
    }
    this.staging = undefined;
    try {
      await sweepState(this.storage, manifest, `${STAGING_PREFIX}${this.token}`);
    } catch (error) {
      this.options.logger?.warn({ state: this.location, err: (error as Error).message }, 'could not remove superseded state files; a later run will');
    }
  }

  /**
   * Remembers how the run ended, for `auth0-usage status` (best effort: it is not part of the figures). A run not
   * committed as a whole that committed checkpoints records the generation of its last one: a later run's commit
   * (one killed before it records its end) changes the manifest's committer, not what this run committed. Whether
   * the record was written.
   */
  async recordRun(run: RunEvent, committed: boolean): Promise<boolean> {
    const checkpoint = !committed && this.committedGeneration !== undefined ? { checkpointGeneration: this.committedGeneration } : {};
    try {
      await this.storage.write(LAST_RUN_NAME, Buffer.from(`${JSON.stringify({ committed, ...checkpoint, run }, null, 1)}\n`));
      return true;
    } catch (error) {
      this.options.logger?.warn({ state: this.location, err: (error as Error).message }, 'could not record the run in the state');
      return false;
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    rmSync(this.scratchDir, { recursive: true, force: true });
    try {
      await this.lock.release();
    } catch (error) {
      this.options.logger?.warn({ state: this.location, err: (error as Error).message }, 'could not release the state lock');
    } finally {
      await this.storage.close();
    }
  }
}

/**
 * A state's ledger, read without taking its lock (a shard only reads it, and writes only its own partial), with
 * the storage kept open for the shard's writes; checked for zone and classification as RunState.open() does.
 */
export async function openLedger(options: Pick<RunStateOptions, 'location' | 's3' | 'timezone' | 'config' | 'logger'>): Promise<{ storage: StateStorage; objects: ObjectIndex }> {
  const storage = openStateStorage(options.location, options.s3, options.logger);
  try {
    const manifest = await readManifest(storage);
    checkUsable(storage, manifest, options);
    return { storage, objects: await readObjectIndex(storage, manifest) };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/** Refuses a state built for another zone or another classification: their figures cannot be merged. */
function checkUsable(storage: StateStorage, manifest: StateManifest | undefined, options: Pick<RunStateOptions, 'timezone' | 'config'>): void {
  if (manifest === undefined) return;
  if (manifest.timezone !== options.timezone) {
    throw new StateError(`the state ${storage.location} counts days in ${manifest.timezone}; run with --timezone ${manifest.timezone} or use another --state`);
  }
  const statsTimezone = statsTimezoneOf(options.config);
  // Compared by zone, not by spelling: before the config was canonicalised, a state recorded the zone as written
  // ('utc', 'europe/paris'); the config now gives its one spelling, which this run's commit records.
  const sameZone = (a: string, b: string) => a === b || (canonicalTimeZone(a) ?? a) === (canonicalTimeZone(b) ?? b);
  if (manifest.statsTimezone !== undefined && !sameZone(manifest.statsTimezone, statsTimezone)) {
    throw new StateError(
      `the state ${storage.location} keeps Auth0 reconcile counts by days in ${manifest.statsTimezone}, not ${statsTimezone}; ` +
        `set auth0.statsTimezone to ${manifest.statsTimezone} in the config, or use another --state`,
    );
  }
  if (manifest.rollupConfig !== rollupConfigFingerprint(options.config)) {
    throw new StateError(
      `the state ${storage.location} was built with another tenant, categories or nonBillableAudiences config; ` +
        'its figures would mix two classifications: restore that config, or build a new state with a backfill',
    );
  }
}
