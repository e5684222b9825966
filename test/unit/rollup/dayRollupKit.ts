import path from 'node:path';
import type { LogRecord } from '../../../src/decode/logRecord';
import type { SummaryMeta } from '../../../src/rollup/summaryBuilder';
import type { DailyEvent, SummaryEnvelope, SummaryPayload } from '../../../src/rollup/summaryEvent';
import type { DayObjectRollup, DayRollupCounters } from '../../../src/rollup/dayObjectRollup';
import { DayRollup } from '../../../src/rollup/dayRollup';
import { DayStore } from '../../../src/rollup/dayStore';
import { runSummaryPass, type SummaryPassOptions, type SummaryPassResult } from '../../../src/rollup/summaryPass';
import { defaultConfig } from './rollupTestKit';
import { testTempDir } from '../../support/testTempDir';

export const META: SummaryMeta = {
  runId: 'run-1',
  generatedAt: '2024-12-01T00:00:00.000Z',
  source: 'auth0-usage',
  sourcetype: 'auth0:usage',
};

/** runJob's default number of resident tenant-days (not imported: runJob pulls in the whole pipeline). */
export const RESIDENT_DAYS = 32;

export interface RunShape {
  timezone?: string;
  from?: string;
  to?: string;
  /** Working sets held in memory; small values push days through the scratch files. */
  residentLimit?: number;
  /** DayStore's keepBehindDays (Infinity: days leave only beyond residentLimit). */
  keepBehindDays?: number;
}

/** Every run's scratch folders, under one folder removed after the test file's last test. */
let scratchRoot: string | undefined;
let runCount = 0;
/** The runs' stores, whose spill files are closed after the test file's last test (a Jest worker runs many files). */
const stores: DayStore[] = [];
afterAll(() => {
  for (const store of stores.splice(0)) store.close();
});

/**
 * A run without state, wired as runJob wires one: a DayRollup over a DayStore (no `stored`, a scratch
 * folder of its own), then one summary pass without a stage folder.
 */
export class StatelessRun {
  readonly store: DayStore;
  readonly rollup: DayRollup;
  readonly timezone: string;

  constructor(shape: RunShape = {}) {
    scratchRoot ??= testTempDir('auth0-usage-dayrollup-');
    this.timezone = shape.timezone ?? 'UTC';
    this.store = new DayStore({ scratchDir: path.join(scratchRoot, `run-${++runCount}`), residentLimit: shape.residentLimit ?? RESIDENT_DAYS, keepBehindDays: shape.keepBehindDays });
    stores.push(this.store);
    this.rollup = new DayRollup({ config: defaultConfig, timezone: this.timezone, from: shape.from, to: shape.to, store: this.store });
  }

  beginObject(): DayObjectRollup {
    return this.rollup.beginObject();
  }

  /** Reads each list as one input object, committed in turn. */
  feed(objects: readonly (readonly LogRecord[])[]): this {
    for (const records of objects) {
      const partial = this.rollup.beginObject();
      for (const record of records) partial.add(record);
      partial.commit();
    }
    return this;
  }

  get counters(): DayRollupCounters {
    return this.rollup.counters;
  }

  /** The summary pass that ends the run (once: it finishes the changed days), with what it emitted, in order. */
  summarize(meta: SummaryMeta = META): Promise<CollectedPass> {
    return collectedPass({ store: this.store, timezone: this.timezone, config: defaultConfig, meta });
  }
}

/** A summary pass's result, with the summaries it emitted (in order) instead of their count. */
export type CollectedPass = Omit<SummaryPassResult, 'summaries'> & { summaries: SummaryEnvelope[]; emitCalls: number };

/** Runs the summary pass, keeping what it emits. */
export async function collectedPass(options: Omit<SummaryPassOptions, 'emit'>): Promise<CollectedPass> {
  const summaries: SummaryEnvelope[] = [];
  let emitCalls = 0;
  const pass = await runSummaryPass({
    ...options,
    emit: async (day) => {
      emitCalls++;
      summaries.push(...day);
    },
  });
  expect(pass.summaries).toBe(summaries.length);
  return { ...pass, summaries, emitCalls };
}

/** A whole run over `objects`: its rollup's counters and unknown types, and its summary pass. */
export async function runOf(objects: readonly (readonly LogRecord[])[], shape: RunShape = {}, meta: SummaryMeta = META) {
  const run = new StatelessRun(shape).feed(objects);
  const pass = await run.summarize(meta);
  return { counters: run.counters, unknownTypes: run.rollup.unknownTypes(), pass, summaries: pass.summaries };
}

/** The events of one kind, in emitted order. */
export function eventsOf(summaries: readonly SummaryEnvelope[], kind: SummaryPayload['summary']): SummaryPayload[] {
  return summaries.filter((s) => s.event.summary === kind).map((s) => s.event);
}

export const dailiesOf = (summaries: readonly SummaryEnvelope[]) => eventsOf(summaries, 'daily') as DailyEvent[];
