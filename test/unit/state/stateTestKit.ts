import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema, type UsageConfig } from '../../../src/config/schema';
import defaults from '../../../config/default.json';
import { createLogger } from '../../../src/support/logger';
import type { SummaryEnvelope } from '../../../src/rollup/summaryEvent';
import type { DeliverOptions, DeliveryResult, SummarySink } from '../../../src/sinks/summarySink';
import { LocalFileSource } from '../../../src/sources/localFiles';

export const API = 'https://api.acme.com';
export const MGMT = 'https://acme.eu.auth0.com/api/v2/';

/** One log record of a hand-made archive; `n` makes its 56-digit log_id. */
export interface Rec {
  n: number;
  date: string;
  type: string;
  tenant?: string;
  user?: string;
  client?: string;
  audience?: string;
}

/** "900" + the record's UTC timestamp (14 digits) + n, 56 digits in all, as Auth0 writes them. */
export function logId(r: Pick<Rec, 'n' | 'date'>): string {
  const stamp = r.date.replace(/\D/g, '').slice(0, 14);
  return `900${stamp}${String(r.n).padStart(39, '0')}`;
}

/** The record as the Management API exports it. */
export function recordJson(r: Rec): Record<string, unknown> {
  const tenant = r.tenant ?? 'acme';
  return {
    log_id: logId(r),
    date: r.date,
    type: r.type,
    tenant_name: tenant,
    hostname: `${tenant}.eu.auth0.com`,
    user_id: r.user ?? '',
    client_id: r.client ?? '',
    client_name: r.client ? `Client ${r.client}` : '',
    ...(r.audience ? { audience: r.audience } : {}),
  };
}

/** Writes an NDJSON archive (a record repeated in `records` is written twice, as a redelivery would). */
export function writeArchive(dir: string, name: string, records: readonly Rec[]): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, records.map((r) => JSON.stringify(recordJson(r))).join('\n') + '\n');
  return file;
}

export const login = (n: number, date: string, user: string, tenant?: string): Rec => ({ n, date, type: 's', user, tenant });
export const token = (n: number, date: string, client: string, audience: string, tenant?: string): Rec => ({ n, date, type: 'seccft', client, audience, tenant });

export function configWith(overrides: Record<string, unknown> = {}): UsageConfig {
  return configSchema.parse({ ...defaults, ...overrides });
}

export const silentLogger = createLogger({ level: 'silent' });

/** A sink that keeps what it is given, in order (the summaries, then the run event). */
export class CollectingSink implements SummarySink {
  readonly name = 'memory';
  readonly events: SummaryEnvelope[] = [];
  /** Each deliver() call: how many events it brought, and whether more were to follow. */
  readonly deliveries: Array<{ events: number; more: boolean }> = [];

  async deliver(events: readonly SummaryEnvelope[], options: DeliverOptions = {}): Promise<DeliveryResult> {
    this.events.push(...events);
    this.deliveries.push({ events: events.length, more: options.more === true });
    return { delivered: events.length, spooled: 0 };
  }

  async close(): Promise<void> {}
}

export const openLocal = (input: string) => new LocalFileSource(input);

type AnyEvent = Record<string, any>;

export const kindOf = (events: readonly { event: AnyEvent }[], kind: string): AnyEvent[] =>
  events.filter((e) => e.event.summary === kind).map((e) => e.event);

/** "kind tenant day [dimension]" of each summary, for exact lists of what a run emitted. */
export function labels(events: readonly { event: AnyEvent }[]): string[] {
  return events
    .filter((e) => e.event.summary !== 'run')
    .map(({ event: e }) => [e.summary, e.tenant, e.day, e.client_id ?? e.type ?? e.metric].filter((x) => x !== undefined).join(' '));
}

/** A summary without what changes from run to run. */
export function comparable(envelope: { event: AnyEvent }): unknown {
  const { generated_at, run_id, ...event } = envelope.event;
  return { ...envelope, event };
}

/** The newest version of every summary over several runs' output, as the Splunk macro keeps them. */
export function latestVersions(...runs: ReadonlyArray<readonly { event: AnyEvent }[]>): Map<string, { event: AnyEvent }> {
  const latest = new Map<string, { event: AnyEvent }>();
  for (const events of runs) {
    for (const e of events) if (e.event.summary !== 'run') latest.set(e.event.summary_id, e);
  }
  return latest;
}

/** Every file under a folder with its bytes, to show that nothing was written. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[path.relative(dir, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return out;
}
