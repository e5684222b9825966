import type { QuarantineFile } from '../sinks/quarantineFile';
import { readDaysKey, type ObjectIndex } from '../state/objectIndex';
import { ShardPartialWriter, type ShardDone, type ShardSpec } from '../state/shardPartial';
import type { StateStorage } from '../state/stateStorage';
import type { Logger } from '../support/logger';
import type { ProgressReporter } from './progressReporter';
import { objectReadingOf, readObjects, type ObjectReading } from './readObjects';
import { shardOfObject, type ShardOf } from './shardAssignment';
import { ShardRecordFiles } from './shardRecordFiles';

export interface ShardRunOptions extends ObjectReading {
  shard: ShardOf;
  spec: ShardSpec;
  /** The shared state's storage (its lock is not taken) and its ledger: objects read before are skipped. */
  storage: StateStorage;
  ledger: Pick<ObjectIndex, 'isUnchanged' | 'countedFor'>;
  defaultTenant: string;
  quarantine?: QuarantineFile;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  logger: Logger;
  now?(): Date;
  /** The AWS SDK's retries of the shard's S3 requests so far (S3RetryLog), when it uses S3: kept in done.json for the merge. */
  s3Retries?: { readonly retries: number };
  /** Compressed bytes at which a record file is sealed (tests). */
  recordFileBytes?: number;
}

/**
 * One shard of a backfill: reads the objects assigned to it (by the hash of their names) that the state has not
 * read, and stores their records and figures as its partial under the state for the merge. Delivers nothing and
 * commits nothing; a shard that fails or is killed leaves no `done.json`, and its rerun replaces the partial.
 */
export async function runShard(options: ShardRunOptions): Promise<ShardDone> {
  const { shard, storage } = options;
  const log = options.logger.child({ shard: `${shard.index}/${shard.count}` });
  const writer = await ShardPartialWriter.start(storage, shard.count, shard.index);
  const files = new ShardRecordFiles({
    timezone: options.spec.timezone,
    from: options.spec.from ?? undefined,
    to: options.spec.to ?? undefined,
    store: (data, objects) => writer.writeRecordFile(data, objects),
    fileBytes: options.recordFileBytes,
  });
  const read = await readObjects({
    ...objectReadingOf(options),
    defaultTenant: options.defaultTenant,
    dayBounded: options.spec.from !== null || options.spec.to !== null,
    readDays: readDaysKey(options.spec.from, options.spec.to),
    rollup: files,
    skipGone: true,
    state: { objects: options.ledger },
    selects: (object, input) => shardOfObject(object.name, input, shard.count) === shard.index,
    quarantine: options.quarantine,
    progress: options.progress,
    signal: options.signal,
    log,
  });
  if (read.failure) throw read.failure;
  await files.finish();
  // The items set aside in place before done.json: once the shard is finished, the merge commits its objects and no
  // later run reads them again.
  await options.quarantine?.publish();
  const done = await writer.finish(
    options.spec,
    {
      objects: read.objects,
      bytes: read.bytes,
      records: files.counters.records,
      malformed: read.malformed,
      rejected: read.rejected,
      quarantine_truncated: read.quarantineTruncated,
      skipped: read.skipped,
      ...(files.counters.countedBefore > 0 ? { counted_before: files.counters.countedBefore } : {}),
      ...(read.gone > 0 ? { objects_gone: read.gone } : {}),
      ...(options.s3Retries && options.s3Retries.retries > 0 ? { s3_retries: options.s3Retries.retries } : {}),
    },
    (options.now ?? (() => new Date()))(),
  );
  log.info({ objects: done.counts.objects, records: done.counts.records, files: done.files.length, state: storage.location }, 'shard finished');
  return done;
}
