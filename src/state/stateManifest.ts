import { z } from 'zod';
import { fingerprintOf } from '../support/fingerprint';
import type { UsageConfig } from '../config/schema';
import { isStateFileName } from './stateLayout';
import { stateDamaged, StateError } from './stateErrors';

/** Marks a manifest as this program's, so a folder of someone else's JSON is refused rather than misread. */
export const STATE_FORMAT = 'auth0-usage-state';
/** Bumped whenever the state's shape changes; a state of another version is refused. */
export const STATE_VERSION = 1;

const count = z.number().int().nonnegative();
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const fingerprint = z.string().regex(/^[0-9a-f]{16}$/);
const fileName = z.string().refine(isStateFileName, { message: 'is not a state file name' });

/** One tenant-day as committed. */
const dayRecordSchema = z
  .object({
    tenant: z.string(),
    day: isoDay,
    startMs: z.number().int(),
    endMs: z.number().int(),
    /** DayAggregate JSON: every figure of the day, active user ids included. */
    aggregate: fileName,
    /** The day's log_id hashes; null once pruned (older than --dedup-days). */
    logIds: fileName.nullable(),
    logIdCount: count,
    events: count,
    /**
     * Fingerprints of the window summaries last emitted for the day ("active_users", "quota:<metric>"), so a
     * later run re-emits only those whose figures changed.
     */
    emitted: z.record(z.string(), fingerprint),
  })
  .strict();

export const manifestSchema = z
  .object({
    format: z.literal(STATE_FORMAT),
    version: z.literal(STATE_VERSION),
    /** The zone days are cut in: part of every day's identity. */
    timezone: z.string(),
    /**
     * The zone of auth0.statsTimezone, whose days the reconcile counts are kept by; absent in states committed
     * before it was recorded (then whichever zone the next run uses is recorded).
     */
    statsTimezone: z.string().optional(),
    /**
     * By tenant, the API days (auth0.statsTimezone) whose Auth0 statistics are still to be read: a run could not
     * read them (Auth0 unreachable, 5xx, 429), they were not over yet, or stats/daily had no row for them yet
     * (kept for MISSING_ROW_DAYS, src/run/auth0Stats.ts). The next run that reads statistics asks for them again.
     * Absent when none wait.
     */
    auth0Pending: z.record(z.string(), z.array(isoDay)).optional(),
    /** Fingerprint of the classification config (default tenant, categories, non-billable audiences). */
    rollupConfig: fingerprint,
    generation: z.number().int().positive(),
    createdAt: z.string(),
    committedAt: z.string(),
    committedRun: z.object({ runId: z.string(), startedAt: z.string() }).strict(),
    /** The list of input objects read, and its totals. */
    objects: z.object({ file: fileName.nullable(), count, bytes: count }).strict(),
    days: z.array(dayRecordSchema),
  })
  .strict();

export type StateManifest = z.infer<typeof manifestSchema>;
export type DayRecord = z.infer<typeof dayRecordSchema>;

/** What decides how records are classified: a state built under another classification must not be extended. */
export function rollupConfigFingerprint(config: Pick<UsageConfig, 'tenant' | 'categories' | 'nonBillableAudiences'>): string {
  return fingerprintOf(JSON.stringify([config.tenant, config.categories, config.nonBillableAudiences]));
}

/** Parses a manifest, telling apart what is not JSON, not ours, of another version, or damaged. */
export function parseManifest(bytes: Buffer, location: string): StateManifest {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw stateDamaged(`the state ${location} is corrupt: its manifest.json is not JSON`);
  }
  const head = (typeof value === 'object' && value !== null ? value : {}) as { format?: unknown; version?: unknown };
  if (head.format !== STATE_FORMAT) {
    throw new StateError(`${location} holds a manifest.json that is not an auth0-usage state; give an empty folder or prefix for --state`);
  }
  if (head.version !== STATE_VERSION) {
    throw new StateError(`the state ${location} has format version ${String(head.version)}; this auth0-usage reads version ${STATE_VERSION}`);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw stateDamaged(`the state ${location} is corrupt: manifest.json ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function serializeManifest(manifest: StateManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`, 'utf8');
}
