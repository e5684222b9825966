import { z } from 'zod';
import { CATEGORY_NAMES, type CategoryName } from '../config/schema';

/** Bumped whenever the serialized shape changes, so stored state from another version is refused, not misread. */
export const DAY_AGGREGATE_JSON_VERSION = 1;

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
export const dayAggregateJsonSchema = z
  .object({
    version: z.literal(DAY_AGGREGATE_JSON_VERSION),
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
  })
  .strict();

export type DayAggregateJson = z.infer<typeof dayAggregateJsonSchema>;
export type M2mBucketJson = z.infer<typeof m2mBucketJsonSchema>;
