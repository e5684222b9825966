/** One query to /services/collector/ack and what its reply means. */
import { HecTlsError, type HecError } from './hecErrors';
import { rejection, isRetryableStatus, readHecReply } from './hecReply';
import { HEC_ACK_PATH, HecTransportError, type HecTransport } from './hecTransport';

export interface AckPolicy {
  /** Wait before each query. */
  pollIntervalMs: number;
  /** How long to wait for all pending acknowledgements before resending the batches still unacknowledged. */
  timeoutMs: number;
  /** How often an unacknowledged batch is resent before it is spooled. */
  maxResends: number;
}

export const DEFAULT_ACK_POLICY: AckPolicy = { pollIntervalMs: 2_000, timeoutMs: 120_000, maxResends: 2 };

export type AckQueryResult =
  | { kind: 'answered'; acked: ReadonlySet<number> }
  /** Network trouble or a busy server: ask again later. */
  | { kind: 'unanswered'; reason: string }
  | { kind: 'fatal'; error: HecError };

export async function queryAcks(
  transport: HecTransport,
  ackIds: readonly number[],
  headers: Record<string, string>,
  target: string,
): Promise<AckQueryResult> {
  let response;
  try {
    response = await transport.post(HEC_ACK_PATH, JSON.stringify({ acks: ackIds }), headers);
  } catch (error) {
    if (!(error instanceof HecTransportError)) throw error;
    if (error.tls) return { kind: 'fatal', error: new HecTlsError(error.message, error.osCode ?? 'TLS') };
    return { kind: 'unanswered', reason: error.message };
  }
  const body = response.body as { acks?: unknown } | undefined;
  if (response.status === 200 && typeof body?.acks === 'object' && body.acks !== null) {
    const acked = new Set<number>();
    for (const [id, done] of Object.entries(body.acks as Record<string, unknown>)) {
      if (done === true) acked.add(Number(id));
    }
    return { kind: 'answered', acked };
  }
  if (isRetryableStatus(response.status)) return { kind: 'unanswered', reason: `HTTP ${response.status}` };
  const outcome = rejection(response, readHecReply(response.body), {
    target,
    indexOfEvent: () => undefined,
    batchSize: 0,
    nowMs: Date.now(),
  });
  if (outcome.kind !== 'fatal') throw new Error('unreachable: rejection() always yields fatal');
  return { kind: 'fatal', error: outcome.error };
}
