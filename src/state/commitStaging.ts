import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DayAggregate } from '../rollup/dayAggregate';
import type { DaySlot } from '../rollup/dayStore';
import { encodeLogIds } from '../rollup/logIdFile';
import type { LogIdSet } from '../rollup/logIdSet';
import { errnoCode } from '../support/errnoCode';
import { makeDirsSync } from '../support/makeDirs';
import { StateIoError } from './stateErrors';

/** A changed tenant-day, merged and written for the commit. */
export interface StagedDay {
  slot: DaySlot;
  aggregateFile: string;
  logIdsFile: string;
  logIdCount: number;
  events: number;
}

/**
 * The merged day files a commit will publish, written to the run's scratch folder as the summary pass merges
 * each changed day, so that the pass never holds more than one day's working set.
 */
export class CommitStaging {
  readonly days: StagedDay[] = [];
  private ready = false;

  constructor(private readonly dir: string) {}

  /** Writes the day's files; a write that fails (a full disk) is a StateIoError naming the file. */
  stage(slot: DaySlot, merged: DayAggregate, ids: LogIdSet): void {
    const aggregateFile = path.join(this.dir, `commit-${slot.seq}.agg.json`);
    const logIdsFile = path.join(this.dir, `commit-${slot.seq}.ids`);
    let file = this.dir;
    try {
      if (!this.ready) {
        makeDirsSync(this.dir);
        this.ready = true;
      }
      file = aggregateFile;
      writeFileSync(aggregateFile, JSON.stringify(merged.toJSON()));
      file = logIdsFile;
      writeFileSync(logIdsFile, encodeLogIds(ids));
    } catch (err) {
      throw new StateIoError(`cannot write ${file} (the day files staged for the state's commit): ${errnoCode(err)}`, { cause: err });
    }
    this.days.push({ slot, aggregateFile, logIdsFile, logIdCount: ids.size, events: merged.events });
  }
}
