/**
 * `auth0-usage status --state DIR|s3://…`: what a state holds (objects read, days per tenant), how the last run
 * ended, whether a run holds the lock, and how many events wait in the HEC spool. Reads only; exit 0, or 2 for
 * a state that is corrupt or not a state. `status --spool DIR` alone: the spool's lines only.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import { LOCK_NAME, MANIFEST_NAME } from '../state/stateLayout';
import { SPOOL_LOCK_EXPIRY_MS } from '../state/spoolLock';
import { DEFAULT_SPOOL_DESCRIPTION } from '../sinks/hec/hecConfig';
import { DEFAULT_LOCK_EXPIRY_MINUTES } from '../state/runState';
import { countSpooledEvents, type SpoolCount } from '../sinks/hec/spoolCount';
import { HecSpoolError } from '../sinks/hec/hecErrors';
import { errnoCode } from '../support/errnoCode';
import { UsageError } from './usageError';
import { openStateStorage } from '../state/stateLoad';
import { formatSpoolStatus, formatStateStatus, lockStatusOf, readStateStatus, type StatusSpool } from '../status/stateStatus';
import type { CliCommand } from './cliCommand';
import { type CliIo, printOutput } from './cliIo';
import { spoolDirFrom } from './hecOptions';
import { s3ClientOptionsFrom, s3CliOptions, type S3Args } from './s3Options';
import { stateCliOptions } from './stateOptions';
import { flagGiven } from './flagChecks';

export function statusOptions<T>(yargs: Argv<T>) {
  return yargs
    .options({
      state: { ...stateCliOptions.state, describe: 'Folder or s3://bucket/prefix of the state (without it, give --spool: its status alone)' },
      spool: { type: 'string', defaultDescription: DEFAULT_SPOOL_DESCRIPTION, describe: 'HEC spool folder whose waiting events to count (the same default as run)' },
      'lock-expiry-minutes': stateCliOptions['lock-expiry-minutes'],
      's3-endpoint': s3CliOptions['s3-endpoint'],
      's3-force-path-style': s3CliOptions['s3-force-path-style'],
      's3-region': s3CliOptions['s3-region'],
    })
    .example('$0 status --state /var/lib/auth0-usage/state', 'Show a local state')
    .example('$0 status --state s3://acme-auth0-usage/state/ --spool /var/lib/auth0-usage/spool', 'Show a state on S3 and the spool beside it')
    .example('$0 status --spool /var/lib/auth0-usage/spool', 'Count what waits in a spool (runs without --state)');
}

export type StatusArgs = S3Args & { state?: string; spool?: string; 'lock-expiry-minutes'?: number };

export async function runStatus(args: StatusArgs, io: CliIo): Promise<number> {
  // As for run and merge, an empty --state (a templated AUTH0_USAGE_STATE=) is none: never the working folder.
  if (!flagGiven(args.state)) {
    // A run without a state still spools for HEC: an exit 3 is followed by counting what waits.
    if (!flagGiven(args.spool)) throw new UsageError('status needs --state: give the --state to show (a folder or s3://bucket/prefix), or --spool DIR to count only a spool');
    const dir = args.spool;
    await printOutput(io.stdout, formatSpoolStatus(existsSync(dir) ? await spoolStatus(dir) : { dir, missing: true }));
    return 0;
  }
  const storage = openStateStorage(args.state, s3ClientOptionsFrom(args, io.env));
  try {
    const spoolDir = spoolDirFrom(args, io.env);
    const spool = await spoolStatus(spoolDir).catch(async (err: unknown) => {
      // The default spool lies beside a local state: a file on the state's own path is said of the --state given,
      // not of a --spool that was not.
      if (!flagGiven(args.spool)) await storage.read(MANIFEST_NAME);
      throw err;
    });
    const staleMs = (args['lock-expiry-minutes'] ?? DEFAULT_LOCK_EXPIRY_MINUTES) * 60_000;
    await printOutput(io.stdout, formatStateStatus(await readStateStatus(storage, spool, { staleMs, nowMs: Date.now() })));
    return 0;
  } finally {
    await storage.close();
  }
}

async function spoolStatus(dir: string): Promise<StatusSpool> {
  return { dir, ...(await countSpool(dir)), ...(await spoolHolder(dir)) };
}

/** The run that holds the spool for a use of it (its lock.json, see spoolLock), if one does. */
async function spoolHolder(dir: string): Promise<Pick<StatusSpool, 'holder'>> {
  let bytes: Buffer | undefined;
  let writtenMs: number | undefined;
  try {
    bytes = await readFile(path.join(dir, LOCK_NAME));
    writtenMs = (await stat(path.join(dir, LOCK_NAME))).mtimeMs;
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') return { holder: 'unreadable' };
  }
  return { holder: lockStatusOf(bytes, SPOOL_LOCK_EXPIRY_MS, Date.now(), writtenMs) };
}

/** The spool's count; a --spool that is a file is a usage error, one that cannot be read an ERR_HEC_SPOOL, each in one line. */
async function countSpool(dir: string): Promise<SpoolCount> {
  try {
    return await countSpooledEvents(dir);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOTDIR') throw new UsageError(`--spool ${dir} is not a folder`);
    throw new HecSpoolError(`cannot read the HEC spool in ${dir}: ${code}`, { cause: err });
  }
}

export const statusCommand: CliCommand<StatusArgs> = {
  command: 'status',
  describe: 'Show what a --state holds, the last run, the lock and the HEC spool',
  builder: (yargs) => statusOptions(yargs),
  run: (args, io) => runStatus(args, io),
};
