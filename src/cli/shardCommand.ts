import type { UsageConfig } from '../config/schema';
import { closeDecodeWorkers } from '../decode/decodeWorkerPool';
import type { ProgressReporter } from '../run/progressReporter';
import type { ReadObjectsOptions } from '../run/readObjects';
import type { ShardOf } from '../run/shardAssignment';
import { runShard } from '../run/shardRun';
import type { SourceResolver } from '../sources/resolveSource';
import { isRetryableReadError } from '../sources/s3/s3Errors';
import { openLedger } from '../state/runState';
import type { ShardSpec } from '../state/shardPartial';
import type { Logger } from '../support/logger';
import type { S3RetryLog } from '../aws/s3RetryLog';
import type { CliIo } from './cliIo';
import type { EndLines } from './endLines';
import { defaultConcurrency } from './defaultConcurrency';
import { s3ClientOptionsFrom, type S3Args } from './s3Options';
import { UsageError } from './usageError';
import { flagGiven } from './flagChecks';
import { checkpointFlagsGiven } from './stateOptions';

/** The flags of `run` that a shard reads besides those runCommand checked. */
export interface ShardArgs extends S3Args {
  state?: string;
  output?: string;
  'hec-url'?: string;
  quarantine?: string;
  'checkpoint-objects'?: number;
  'checkpoint-minutes'?: number;
}

/** A shard delivers nothing (the merge does) and needs the shared --state to put its partial in. */
export function refuseDeliveryFromShard(args: ShardArgs, auth0Stats: boolean): void {
  const flag = args.output !== undefined ? '--output' : args['hec-url'] !== undefined ? '--hec-url' : auth0Stats ? '--auth0-domain' : undefined;
  if (flag !== undefined) throw new UsageError(`a shard delivers nothing: drop ${flag} here and give it to \`auth0-usage merge\``);
  if (!flagGiven(args.state)) throw new UsageError('a shard writes its partial result under the shared --state: give --state (the same for every shard and the merge)');
}

export interface ShardRunSetup {
  shard: ShardOf;
  spec: ShardSpec;
  config: UsageConfig;
  sources: SourceResolver;
  logger: Logger;
  /** The run's closing lines. */
  end: EndLines;
  progress: ProgressReporter;
  signal: AbortSignal;
  /** Decode threads (0: decoding on this thread), as the run resolved them. */
  decodeThreads: number;
  decode: NonNullable<ReadObjectsOptions['decode']>;
  /** The AWS SDK's retries of the shard's S3 requests (inputs and state), when it uses S3. */
  s3Retries?: S3RetryLog;
}

/** `auth0-usage run --shard I/N`: reads this shard's objects into its partial under --state; exit 0 when stored. */
export async function runShardFromArgs(args: ShardArgs, io: CliIo, setup: ShardRunSetup): Promise<number> {
  const { shard, spec, logger } = setup;
  const { storage, objects } = await openLedger({ location: args.state!, s3: { ...s3ClientOptionsFrom(args, io.env), retries: setup.s3Retries }, timezone: spec.timezone, config: setup.config, logger });
  const quarantine = args.quarantine ? new (await import('../sinks/quarantineFile')).QuarantineFile(args.quarantine) : undefined;
  try {
    logger.info({ shard: `${shard.index}/${shard.count}`, inputs: spec.inputs, state: storage.location }, 'shard started');
    // Given through a variable the nightly runs share, perhaps: said, not refused.
    const checkpointFlags = checkpointFlagsGiven(args);
    if (checkpointFlags.length > 0) {
      logger.warn({ flags: checkpointFlags }, `a shard keeps nothing until it finishes: ${checkpointFlags.join(' and ')} ${checkpointFlags.length === 1 ? 'does' : 'do'} not apply, and a stopped shard is run again whole`);
    }
    const done = await runShard({
      shard,
      spec,
      inputs: spec.inputs,
      openSource: (input) => setup.sources.resolve(input),
      storage,
      ledger: objects,
      defaultTenant: setup.config.tenant,
      concurrency: (args as { concurrency?: number }).concurrency ?? defaultConcurrency(spec.inputs, setup.decodeThreads),
      isRetryableReadError,
      decode: setup.decode,
      ...(setup.decodeThreads > 0 ? { endDecoding: closeDecodeWorkers } : {}),
      quarantine,
      progress: setup.progress,
      signal: setup.signal,
      logger,
      s3Retries: setup.s3Retries,
    });
    // Before the closing line, which stays the last.
    setup.s3Retries?.flush();
    await quarantine?.close();
    setup.end.info(
      `shard ${shard.index}/${shard.count} stored ${done.counts.records} records of ${done.counts.objects} objects in ${storage.location}; ` +
        `\`auth0-usage merge --state ${storage.location} --shards ${shard.count} --hec-url URL\` (or \`--output FILE\`) once every shard has finished`,
      { shard: `${shard.index}/${shard.count}`, state: storage.location, ...(done.counts.objects_gone ? { objects_gone: done.counts.objects_gone } : {}), exit_code: 0 },
    );
    return 0;
  } catch (err) {
    await quarantine?.close().catch(() => undefined);
    throw err;
  } finally {
    setup.sources.close();
    await storage.close();
  }
}
