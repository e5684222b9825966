/**
 * The HEC sink's configuration and its defaults, resolved once: the sink and `hec-check` both take what
 * resolveHecConfig() returns, and the CLI only maps its flags onto HecSinkOptions.
 */
import { DEFAULT_ACK_POLICY, type AckPolicy } from './ackQuery';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff';
import { HecUsageError } from './hecErrors';
import { DEFAULT_SPOOL_DIR } from './hecSpool';
import { isUsableHecToken } from './hecToken';
import { parseHecBaseUrl } from './hecUrl';

export const DEFAULT_BATCH_BYTES = 512 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;

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
export function resolveHecConfig(options: HecSinkOptions): HecConfig {
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
    spoolDir: options.spoolDir ?? DEFAULT_SPOOL_DIR,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
  };
}
