/**
 * The --hec-* flags and how they, the config file and the environment combine into HecSinkOptions.
 * The token comes only from the environment (SPLUNK_HEC_TOKEN, else AUTH0_USAGE_HEC_TOKEN).
 */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { UsageConfig } from '../config/schema';
import { DEFAULT_BATCH_BYTES, DEFAULT_SPOOL_DESCRIPTION, DEFAULT_TIMEOUT_MS, defaultSpoolDir, type HecSinkOptions } from '../sinks/hec/hecConfig';
import { DEFAULT_RETRY_POLICY } from '../sinks/hec/backoff';
import { HecUsageError } from '../sinks/hec/hecErrors';
import { isS3Url } from '../aws/s3Url';
import { HEC_TOKEN_ENV_VARS, isUsableHecToken, resolveHecToken } from '../sinks/hec/hecToken';
import { parseHecBaseUrl } from '../sinks/hec/hecUrl';
import { UsageError } from './usageError';
import { givenOnce, positiveAmount, wholeNumberAtLeast } from './flagChecks';
import { errnoCode } from '../support/errnoCode';

function checkUrl(given: string): string {
  const value = givenOnce('--hec-url', given);
  try {
    parseHecBaseUrl(value);
  } catch (error) {
    if (error instanceof HecUsageError) throw new Error(error.message);
    throw error;
  }
  return value;
}

/** A hidden `--hec-token` exists only to refuse it with a clear message: the token never sits in argv or `ps`. */
function refuseTokenFlag(): never {
  throw new Error(`the HEC token is read from ${HEC_TOKEN_ENV_VARS.join(' or ')} only, never from a flag`);
}

/** Flags that say where and how to reach HEC (shared by `run` and `hec-check`). */
export const hecConnectionCliOptions = {
  'hec-url': {
    type: 'string',
    describe: `HEC base URL, e.g. https://splunk.example.com:8088; token from ${HEC_TOKEN_ENV_VARS[0]}`,
    coerce: checkUrl,
  },
  'hec-index': { type: 'string', describe: 'Index for the events; the token must allow it [default: config splunk.index, auth0_usage]' },
  'hec-sourcetype': { type: 'string', describe: 'Sourcetype [default: config splunk.sourcetype]' },
  'hec-source': { type: 'string', describe: 'Source [default: config splunk.source]' },
  'hec-ack': { type: 'boolean', default: false, describe: 'Wait for indexer acknowledgement (the token must have it on; Splunk Enterprise)' },
  'hec-ca': { type: 'string', describe: "PEM file of the CA certificates that signed HEC's certificate" },
  'hec-insecure': { type: 'boolean', default: false, describe: "Do not verify HEC's certificate (test instances only)" },
  'hec-timeout': { type: 'number', defaultDescription: String(DEFAULT_TIMEOUT_MS / 1000), describe: 'Seconds to wait for each HEC reply', coerce: positiveAmount('--hec-timeout', 'seconds') },
  'hec-token': { type: 'string', hidden: true, coerce: refuseTokenFlag },
} as const;

/** All HEC flags of `run`: connection, batching, retry deadline and spool. */
export const hecCliOptions = {
  ...hecConnectionCliOptions,
  'hec-batch-bytes': {
    type: 'number',
    defaultDescription: String(DEFAULT_BATCH_BYTES),
    describe: 'Largest HEC request body in bytes',
    coerce: wholeNumberAtLeast('--hec-batch-bytes', 1024, 'bytes'),
  },
  'hec-deadline': {
    type: 'number',
    defaultDescription: String(DEFAULT_RETRY_POLICY.deadlineMs / 1000),
    describe: 'Seconds a batch may keep failing (busy, unreachable) before it is spooled',
    coerce: positiveAmount('--hec-deadline', 'seconds'),
  },
  spool: {
    type: 'string',
    defaultDescription: DEFAULT_SPOOL_DESCRIPTION,
    describe: 'Directory for events HEC did not take; the next run sends those it does not build again',
  },
} as const;

const HEC_GROUP = 'Splunk HEC:';

/** Adds every HEC flag of `run` under its own help heading. */
export function withHecOptions<T>(yargs: Argv<T>) {
  return yargs.options(hecCliOptions).group(Object.keys(hecCliOptions).filter((name) => name !== 'hec-token'), HEC_GROUP);
}

/** The parsed flags hecSinkOptionsFromArgv reads. */
export interface HecArgs {
  'hec-url'?: string;
  'hec-index'?: string;
  'hec-sourcetype'?: string;
  'hec-source'?: string;
  'hec-ack'?: boolean;
  'hec-ca'?: string;
  'hec-insecure'?: boolean;
  'hec-timeout'?: number;
  'hec-batch-bytes'?: number;
  'hec-deadline'?: number;
  spool?: string;
  state?: string;
}

/** The spool folder: --spool, else the default beside a local --state or in the user's state directory. */
export function spoolDirFrom(args: { spool?: string; state?: string }, env: NodeJS.ProcessEnv): string {
  if (args.spool !== undefined) return args.spool;
  return defaultSpoolDir(args.state === undefined || isS3Url(args.state) ? undefined : args.state, env);
}

/** Where the summaries say they come from and go to: flags win over the config file's `splunk` block. */
export interface SplunkMetadata {
  index?: string;
  source: string;
  sourcetype: string;
}

/** The events' index, source and sourcetype, decided once for every sink (--output carries the same as HEC). */
export function splunkMetadataFrom(argv: HecArgs, splunk: UsageConfig['splunk']): SplunkMetadata {
  const index = argv['hec-index'] ?? splunk.index;
  return { ...(index === undefined ? {} : { index }), source: argv['hec-source'] ?? splunk.source, sourcetype: argv['hec-sourcetype'] ?? splunk.sourcetype };
}

/**
 * HecSinkOptions from flags and environment, or undefined without --hec-url; what is not given is left for
 * resolveHecConfig() to default. Throws UsageError (exit 2) for a missing token, an unreadable CA file, HEC flags
 * without --hec-url, or contradicting flags.
 */
export function hecSinkOptionsFromArgv(argv: HecArgs, env: NodeJS.ProcessEnv, metadata: SplunkMetadata): HecSinkOptions | undefined {
  const url = argv['hec-url'];
  if (url === undefined) {
    const stray = (['hec-index', 'hec-sourcetype', 'hec-source', 'hec-ca'] as const).find((flag) => argv[flag] !== undefined) ??
      (['hec-ack', 'hec-insecure'] as const).find((flag) => argv[flag] === true);
    if (stray) throw new UsageError(`--${stray} needs --hec-url`);
    return undefined;
  }
  const token = resolveHecToken(env);
  if (token === undefined) {
    throw new UsageError(`--hec-url needs the HEC token in the environment: set ${HEC_TOKEN_ENV_VARS.join(' or ')}`);
  }
  if (!isUsableHecToken(token)) throw new UsageError('the HEC token in the environment contains spaces or control characters');
  if (argv['hec-ca'] !== undefined && argv['hec-insecure']) {
    throw new UsageError('--hec-ca and --hec-insecure contradict each other: give one');
  }
  const seconds = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 1000));
  const deadlineMs = seconds(argv['hec-deadline']);
  return {
    url,
    token,
    ...metadata,
    ack: argv['hec-ack'],
    ...(argv['hec-ca'] === undefined ? {} : { ca: readCaBundle(argv['hec-ca']) }),
    insecure: argv['hec-insecure'],
    batchBytes: argv['hec-batch-bytes'],
    timeoutMs: seconds(argv['hec-timeout']),
    ...(deadlineMs === undefined ? {} : { retry: { deadlineMs } }),
    spoolDir: spoolDirFrom(argv, env),
  };
}

function readCaBundle(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --hec-ca ${file}: ${errnoCode(error)}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--hec-ca ${file} holds no PEM certificate`);
  return pem;
}
