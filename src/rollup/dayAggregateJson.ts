import { z } from 'zod';
import { CATEGORY_NAMES, type CategoryName } from '../config/schema';

/**
 * Bumped whenever the serialized shape changes, so stored state from another version is refused, not misread.
 * 2 added `coverage` and `statsDays`; version 1 (without them) is still read: such a day's coverage and
 * reconcile counts are unknown (null), never guessed from the records of later runs alone.
 */
export const DAY_AGGREGATE_JSON_VERSION = 2;

const count = z.number().int().nonnegative();
const countedKeys = z.array(z.tuple([z.string(), count]));

const m2mBucketJsonSchema = z
  .object({
    clientId: z.string(),
    audience: z.string(),
    billable: z.boolean(),
    m2mTokens: count,
    m2mTokenFailures: count,
    clientName: z.string(),
    /** null while no name was seen (JSON has no -Infinity). */
    clientNameMs: z.number().nullable(),
  })
  .strict();

/**
 * The serialized DayAggregate. Maps are arrays of [key, count] pairs (type codes are arbitrary strings, and a
 * plain object would misread keys like "__proto__"); every array is sorted so equal aggregates serialize alike.
 */
const coverageBitsJsonSchema = z
  .object({
    /** One bit per minute of the day, base64, minute 0 in the lowest bit of byte 0. */
    minutes: z.string(),
    first_ms: z.number().int().nullable(),
    last_ms: z.number().int().nullable(),
  })
  .strict();

/** [day in auth0.statsTimezone, logins, signups, breached_passwords] (see rollup/reconcile.ts), sorted by day. */
const statsDayJsonSchema = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), count, count, count]);

export const dayAggregateJsonSchema = z
  .object({
    version: z.union([z.literal(1), z.literal(DAY_AGGREGATE_JSON_VERSION)]),
    tenant: z.string(),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    startMs: z.number().int(),
    endMs: z.number().int(),
    events: count,
    categories: z
      .object(Object.fromEntries(CATEGORY_NAMES.map((name) => [name, count])) as Record<CategoryName, typeof count>)
      .strict(),
    /** Distinct active user ids (kept whole for now: later windows need to union them across days). */
    activeUserIds: z.array(z.string()),
    types: countedKeys,
    hostnames: countedKeys,
    m2m: z.array(m2mBucketJsonSchema),
    /** Version 2 on; null when the day was first stored by version 1. */
    coverage: coverageBitsJsonSchema.nullable().optional(),
    statsDays: z.array(statsDayJsonSchema).nullable().optional(),
  })
  .strict()
  .refine((json) => json.version === 1 || (json.coverage !== undefined && json.statsDays !== undefined), {
    message: 'version 2 needs coverage and statsDays',
  })
  .refine((json) => json.version === DAY_AGGREGATE_JSON_VERSION || (json.coverage === undefined && json.statsDays === undefined), {
    message: 'version 1 has no coverage or statsDays',
  });

export type DayAggregateJson = z.infer<typeof dayAggregateJsonSchema>;
