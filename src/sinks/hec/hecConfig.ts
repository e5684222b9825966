/**
 * The HEC sink's configuration and its defaults, resolved once: the sink and `hec-check` both take what
 * resolveHecConfig() returns, and the CLI only maps its flags onto HecSinkOptions.
 */
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ACK_POLICY, type AckPolicy } from './ackQuery';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff';
import { HecUsageError } from './hecErrors';
import { isUsableHecToken } from './hecToken';
import { parseHecBaseUrl } from './hecUrl';

export const DEFAULT_BATCH_BYTES = 512 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The default spool as --help tells it. */
export const DEFAULT_SPOOL_DESCRIPTION =
  '<state>.spool beside a local --state, else $XDG_STATE_HOME/auth0-usage/spool (~/.local/state/auth0-usage/spool without it)';

/**
 * Where the spool goes when none is given: beside a local state folder (`<state>.spool`; not inside it, where a
 * state would find files not its own), else the user's state directory: $XDG_STATE_HOME/auth0-usage/spool when
 * that is an absolute path (the XDG rule), else ~/.local/state/auth0-usage/spool. Never the working directory,
 * which under cron or in a container is often `/` or read-only.
 */
export function defaultSpoolDir(localState: string | undefined, env: NodeJS.ProcessEnv): string {
  if (localState !== undefined) return `${path.resolve(localState)}.spool`;
  const xdg = env.XDG_STATE_HOME;
  const stateHome = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(stateHome, 'auth0-usage', 'spool');
}

/** Settings as given (flags, config, environment, or a test); anything left out takes its default. */
export interface HecSinkOptions {
  /** Base URL, e.g. https://splunk.example.com:8088. */
  url: string;
  token: string;
  /** When set, replace the envelope's own value on every event sent (flags and config win). */
  index?: string;
  sourcetype?: string;
  source?: string;
  /** Use indexer acknowledgement (a channel, /services/collector/ack polling). */
  ack?: boolean;
  /** PEM CA bundle to trust for HEC's certificate. */
  ca?: string;
  /** Skip certificate verification (logged as a warning). */
  insecure?: boolean;
  batchBytes?: number;
  /** Per-request reply timeout. */
  timeoutMs?: number;
  spoolDir?: string;
  /** A local --state folder (not s3://): without spoolDir, the spool goes beside it. */
  localState?: string;
  retry?: Partial<RetryPolicy>;
  ackPolicy?: Partial<AckPolicy>;
}

/** Every setting with its value: what the sink and hec-check work from. */
export interface HecConfig {
  baseUrl: URL;
  token: string;
  index?: string;
  sourcetype?: string;
  source?: string;
  /** The acknowledgement policy when indexer acknowledgement is on. */
  ack?: AckPolicy;
  ca?: string;
  insecure: boolean;
  batchBytes: number;
  timeoutMs: number;
  spoolDir: string;
  retry: RetryPolicy;
}

/** Checks the URL and token and fills in every default. Throws HecUsageError (exit 2) for what cannot work. */
export function resolveHecConfig(options: HecSinkOptions, env: NodeJS.ProcessEnv = process.env): HecConfig {
  const baseUrl = parseHecBaseUrl(options.url);
  if (!isUsableHecToken(options.token)) throw new HecUsageError('the HEC token is empty or contains spaces or control characters');
  return {
    baseUrl,
    token: options.token,
    ...(options.index === undefined ? {} : { index: options.index }),
    ...(options.sourcetype === undefined ? {} : { sourcetype: options.sourcetype }),
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(options.ack ? { ack: { ...DEFAULT_ACK_POLICY, ...options.ackPolicy } } : {}),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    insecure: options.insecure ?? false,
    batchBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    spoolDir: options.spoolDir ?? defaultSpoolDir(options.localState, env),
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
  };
}
