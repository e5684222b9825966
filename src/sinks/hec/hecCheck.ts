/**
 * Checks, before a long backfill, that HEC is reachable, its certificate trusted, the token accepted
 * and the index allowed: the health endpoint, then one clearly marked test event (summary=hec_check).
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { queryAcks } from './ackQuery';
import { describeHecCode } from './hecCodes';
import { HecRejectedError } from './hecErrors';
import { classifyEventReply, readHecReply } from './hecReply';
import { resolveHecConfig, type HecSinkOptions } from './hecConfig';
import { HEC_EVENT_PATH, HEC_HEALTH_PATH, HecTransportError, httpToTlsHint, type HecTransport } from './hecTransport';
import { displayHecUrl } from './hecUrl';
import { SplunkLoggingTransport } from './splunkLoggingTransport';

export type HecCheckName = 'reachable' | 'tls' | 'health' | 'token' | 'index' | 'ack';
/** `unverified`: the check could not be made (e.g. HEC busy); it counts as a failure. */
export type HecCheckStatus = 'ok' | 'failed' | 'skipped' | 'unverified';

export interface HecCheckStep {
  check: HecCheckName;
  status: HecCheckStatus;
  detail: string;
}

export interface HecCheckReport {
  target: string;
  ok: boolean;
  steps: HecCheckStep[];
}

export interface HecCheckDeps {
  transport?: HecTransport;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Longest wait for the test event's acknowledgement (with --hec-ack). */
  ackWaitMs?: number;
  ackPollMs?: number;
}

/** Marks the test event so searches and analysts can tell it apart (the summaries have other `summary` values). */
export const HEC_CHECK_SUMMARY = 'hec_check';

export async function checkHec(given: HecSinkOptions, deps: HecCheckDeps = {}): Promise<HecCheckReport> {
  const options = resolveHecConfig(given);
  const { baseUrl } = options;
  const target = displayHecUrl(baseUrl);
  const transport =
    deps.transport ??
    new SplunkLoggingTransport({ baseUrl, token: options.token, ca: options.ca, insecure: options.insecure, timeoutMs: options.timeoutMs });
  const steps: HecCheckStep[] = [];
  const step = (check: HecCheckName, status: HecCheckStatus, detail: string) => steps.push({ check, status, detail });
  const skipRest = (from: HecCheckName[], why: string) => from.forEach((check) => step(check, 'skipped', why));
  const later: HecCheckName[] = options.ack ? ['token', 'index', 'ack'] : ['token', 'index'];
  const report = (): HecCheckReport => ({ target, steps, ok: steps.every((s) => s.status === 'ok' || s.status === 'skipped') });

  let health;
  try {
    health = await transport.get(HEC_HEALTH_PATH);
  } catch (error) {
    if (!(error instanceof HecTransportError)) throw error;
    if (!error.tls) {
      // The transport's message already names the host; its code alone says why (ECONNREFUSED, ENOTFOUND, …).
      // A TLS port that an http:// URL speaks plain HTTP to drops the connection without a reply.
      const hint = httpToTlsHint(baseUrl, error.osCode);
      const tlsHint = hint === undefined ? '' : `. ${hint[0]!.toUpperCase()}${hint.slice(1)}.`;
      step('reachable', 'failed', `${error.osCode ? `cannot reach ${baseUrl.host}: ${error.osCode}` : error.message}${tlsHint}`);
      skipRest(['tls', 'health', ...later], 'HEC not reachable');
      return report();
    }
    step('reachable', 'ok', `connected to ${baseUrl.host}`);
    step('tls', 'failed', error.message);
    skipRest(['health', ...later], 'TLS failed');
    return report();
  }
  step('reachable', 'ok', `connected to ${baseUrl.host}`);
  if (baseUrl.protocol === 'http:') step('tls', 'ok', 'not used (http:// URL): the token travels unencrypted');
  else step('tls', 'ok', options.insecure ? 'NOT verified (--hec-insecure)' : 'certificate verified');
  const healthReply = readHecReply(health.body);
  if (health.status === 200 && healthReply?.code === 17) step('health', 'ok', describeHecCode(17));
  // Some HEC-compatible receivers have no health endpoint: the test event decides.
  else if (health.status === 404) step('health', 'skipped', 'no health endpoint (HTTP 404)');
  else if (healthReply) step('health', 'failed', `HTTP ${health.status}, ${describeHecCode(healthReply.code, healthReply.text)}`);
  else step('health', 'failed', `HTTP ${health.status} from the health endpoint: not a HEC reply`);

  const channel = options.ack ? randomUUID() : undefined;
  const headers: Record<string, string> = channel ? { 'X-Splunk-Request-Channel': channel } : {};
  const now = deps.now ?? Date.now;
  const envelope = {
    time: Math.floor(now() / 1000),
    host: os.hostname(),
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(options.sourcetype === undefined ? {} : { sourcetype: options.sourcetype }),
    ...(options.index === undefined ? {} : { index: options.index }),
    event: { summary: HEC_CHECK_SUMMARY, message: 'auth0-usage hec-check test event; safe to ignore', checked_at: new Date(now()).toISOString() },
  };
  const indexName = options.index === undefined ? "the token's default index" : `index '${options.index}'`;
  let outcome;
  try {
    const response = await transport.post(HEC_EVENT_PATH, JSON.stringify(envelope), headers);
    outcome = classifyEventReply(response, { target, indexOfEvent: () => options.index, batchSize: 1, nowMs: now() });
  } catch (error) {
    if (!(error instanceof HecTransportError)) throw error;
    outcome = { kind: 'retry' as const, reason: error.message };
  }
  if (outcome.kind !== 'accepted') {
    const error = outcome.kind === 'fatal' ? outcome.error : undefined;
    const kind = error instanceof HecRejectedError ? error.kind : undefined;
    const why = error?.message ?? (outcome.kind === 'retry' ? outcome.reason : `HEC refused the test event (${outcome.kind})`);
    if (kind === 'token') {
      step('token', 'failed', why);
      skipRest(later.slice(1), 'needs an accepted token');
    } else if (kind === 'index') {
      step('token', 'ok', 'accepted');
      step('index', 'failed', why);
      if (options.ack) step('ack', 'skipped', 'needs an accepted test event');
    } else if (kind === 'channel' && !options.ack) {
      step('token', 'ok', 'accepted');
      step('index', 'unverified', 'the token wants indexer acknowledgement');
      step('ack', 'failed', why);
    } else {
      later.forEach((check) => step(check, 'unverified', `test event not accepted: ${why}`));
    }
    return report();
  }
  step('token', 'ok', 'accepted');
  step('index', 'ok', `${indexName} accepted a test event (search: summary=${HEC_CHECK_SUMMARY})`);
  if (options.ack) step('ack', ...(await waitForAck(transport, outcome.ackId, headers, target, deps)));
  return report();
}

async function waitForAck(
  transport: HecTransport,
  ackId: number | undefined,
  headers: Record<string, string>,
  target: string,
  deps: HecCheckDeps,
): Promise<[HecCheckStatus, string]> {
  if (ackId === undefined) return ['failed', 'HEC sent no ackId: indexer acknowledgement is off for this token; drop --hec-ack'];
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  const waitMs = deps.ackWaitMs ?? 30_000;
  const started = now();
  while (now() - started < waitMs) {
    await sleep(deps.ackPollMs ?? 1_000);
    const answer = await queryAcks(transport, [ackId], headers, target);
    if (answer.kind === 'fatal') return ['failed', answer.error.message];
    if (answer.kind === 'answered' && answer.acked.has(ackId)) return ['ok', `test event acknowledged (ackId ${ackId})`];
  }
  return ['failed', `test event not acknowledged within ${waitMs / 1000} s`];
}
