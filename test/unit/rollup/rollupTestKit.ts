import { seededRandom } from '../../support/seededRandom';
import config from '../../../config/default.json';
import { configSchema, type UsageConfig } from '../../../src/config/schema';
import type { LogRecord } from '../../../src/decode/logRecord';

/** The shipped default configuration, validated like the CLI does. */
export const defaultConfig: UsageConfig = configSchema.parse(config);

export const MGMT_AUDIENCE = 'https://acme.eu.auth0.com/api/v2/';
export const API_AUDIENCE = 'https://api.acme.com';

let sequence = 0;

let stampedMs = NaN;
let stamp = '';

/** A realistic 56-digit log_id: "900" + UTC timestamp (14 digits) + 39 digits. */
export function logIdAt(dateMs: number, serial: number): string {
  // The last stamp is kept: tests make thousands of records a second apart or at one time, and each Date and String
  // look-up is slow inside Jest's vm context.
  if (dateMs !== stampedMs) {
    stampedMs = dateMs;
    stamp = new Date(dateMs).toISOString().replace(/\D/g, '').slice(0, 14);
  }
  return `900${stamp}${`${serial}`.padStart(39, '0')}`;
}

/** A record with defaults for every field; each call gets a fresh log_id unless one is given. */
export function makeRecord(fields: Partial<LogRecord> & { date?: string }): LogRecord {
  const { date, ...rest } = fields;
  const dateMs = rest.dateMs ?? Date.parse(date ?? '2024-06-01T12:00:00.000Z');
  return {
    logId: logIdAt(dateMs, ++sequence),
    dateMs,
    type: 's',
    tenant: 'acme',
    hostname: 'acme.eu.auth0.com',
    clientId: '',
    clientName: '',
    audience: '',
    userId: '',
    ...rest,
  };
}

export { seededRandom };

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
