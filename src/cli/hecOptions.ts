/**
 * The --hec-* flags and how they, the config file and the environment combine into HecSinkOptions.
 * The token comes only from the environment (SPLUNK_HEC_TOKEN, else AUTH0_USAGE_HEC_TOKEN).
 */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { UsageConfig } from '../config/schema';
import { DEFAULT_BATCH_BYTES, DEFAULT_TIMEOUT_MS, type HecSinkOptions } from '../sinks/hec/hecSink';
import { DEFAULT_RETRY_POLICY } from '../sinks/hec/backoff';
import { HecUsageError } from '../sinks/hec/hecErrors';
import { DEFAULT_SPOOL_DIR } from '../sinks/hec/hecSpool';
import { HEC_TOKEN_ENV_VARS, isUsableHecToken, resolveHecToken } from '../sinks/hec/hecToken';
import { parseHecBaseUrl } from '../sinks/hec/hecUrl';
import { UsageError } from './usageError';
import { positiveAmount, wholeNumberAtLeast } from './flagChecks';
import { errnoCode } from '../errnoCode';

function checkUrl(value: string): string {
  try {
    parseHecBaseUrl(value);
  } catch (error) {
    if (error instanceof HecUsageError) throw new Error(error.message);
    throw error;
  }
  return value;
}

/**
 * The CLI's `.env('AUTH0_USAGE')` turns AUTH0_USAGE_HEC_TOKEN into an `--hec-token` argument. This hidden
 * option accepts it from there (replacing the value, so argv never holds the token) and refuses the flag.
 */
function tokenFromEnvironmentOnly(value: unknown): string {
  if (value !== process.env.AUTH0_USAGE_HEC_TOKEN) {
    throw new Error(`the HEC token is read from ${HEC_TOKEN_ENV_VARS.join(' or ')} only, never from a flag`);
  }
  return '[from environment]';
}

/** Flags that say where and how to reach HEC (shared by `run` and `hec-check`). */
export const hecConnectionCliOptions = {
  'hec-url': {
    type: 'string',
    describe: `HEC base URL, e.g. https://splunk.example.com:8088; token from ${HEC_TOKEN_ENV_VARS[0]}`,
    coerce: checkUrl,
  },
  'hec-index': { type: 'string', describe: "Index for the events [default: config splunk.index, else the token's default]" },
  'hec-sourcetype': { type: 'string', describe: 'Sourcetype [default: config splunk.sourcetype]' },
  'hec-source': { type: 'string', describe: 'Source [default: config splunk.source]' },
  'hec-ack': { type: 'boolean', default: false, describe: 'Wait for indexer acknowledgement (the token must have it on; Splunk Enterprise)' },
  'hec-ca': { type: 'string', describe: "PEM file of the CA certificates that signed HEC's certificate" },
  'hec-insecure': { type: 'boolean', default: false, describe: "Do not verify HEC's certificate (test instances only)" },
  'hec-timeout': { type: 'number', default: DEFAULT_TIMEOUT_MS / 1000, describe: 'Seconds to wait for each HEC reply', coerce: positiveAmount('--hec-timeout', 'seconds') },
  'hec-token': { type: 'string', hidden: true, coerce: tokenFromEnvironmentOnly },
} as const;

/** All HEC flags of `run`: connection, batching, retry deadline and spool. */
export const hecCliOptions = {
  ...hecConnectionCliOptions,
  'hec-batch-bytes': {
    type: 'number',
    default: DEFAULT_BATCH_BYTES,
    describe: 'Largest HEC request body in bytes',
    coerce: wholeNumberAtLeast('--hec-batch-bytes', 1024, 'bytes'),
  },
  'hec-deadline': {
    type: 'number',
    default: DEFAULT_RETRY_POLICY.deadlineMs / 1000,
    describe: 'Seconds a batch may keep failing (busy, unreachable) before it is spooled',
    coerce: positiveAmount('--hec-deadline', 'seconds'),
  },
  spool: { type: 'string', default: DEFAULT_SPOOL_DIR, describe: 'Directory for events HEC did not take; the next run sends them first' },
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
}

/**
 * HecSinkOptions from flags, config and environment (flags win over config), or undefined without
 * --hec-url. Throws UsageError (exit 2) for a missing token, an unreadable CA file, HEC flags without
 * --hec-url, or contradicting flags.
 */
export function hecSinkOptionsFromArgv(argv: HecArgs, env: NodeJS.ProcessEnv, config: Pick<UsageConfig, 'splunk'>): HecSinkOptions | undefined {
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
  const index = argv['hec-index'] ?? config.splunk.index;
  return {
    url,
    token,
    ...(index === undefined ? {} : { index }),
    sourcetype: argv['hec-sourcetype'] ?? config.splunk.sourcetype,
    source: argv['hec-source'] ?? config.splunk.source,
    ack: argv['hec-ack'] ?? false,
    ...(argv['hec-ca'] === undefined ? {} : { ca: readCaBundle(argv['hec-ca']) }),
    insecure: argv['hec-insecure'] ?? false,
    batchBytes: argv['hec-batch-bytes'] ?? DEFAULT_BATCH_BYTES,
    timeoutMs: Math.round((argv['hec-timeout'] ?? DEFAULT_TIMEOUT_MS / 1000) * 1000),
    retry: { deadlineMs: Math.round((argv['hec-deadline'] ?? DEFAULT_RETRY_POLICY.deadlineMs / 1000) * 1000) },
    spoolDir: argv.spool ?? DEFAULT_SPOOL_DIR,
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
