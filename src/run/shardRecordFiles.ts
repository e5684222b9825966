import { gzipSync } from 'node:zlib';
import { compactRecordLine } from '../decode/compactRecord';
import type { LogRecord } from '../decode/logRecord';
import { countedWindow, DayWindow } from '../rollup/dayWindow';
import type { InputObject, LedgerEntry } from '../sources/inputObject';
import { ledgerEntryOf, readDaysKey } from '../state/objectIndex';
import type { ObjectRecords, ObjectRecordsPartial } from './readObjects';

/** Compact text gathered before it is compressed into one gzip member (members concatenate into one gzip file). */
const MEMBER_CHARS = 1024 * 1024;
/**
 * A record file is sealed at an object boundary once its compressed bytes reach this: about 450,000 records (37
 * bytes each on the samples), what one large archive holds. The merge reads a file as one object, whose figures it
 * keeps apart until the file's end, so a file must stay about an archive's size, not a shard's.
 */
export const RECORD_FILE_BYTES = 16 * 1024 * 1024;

export interface ShardRecordFilesOptions {
  timezone: string;
  from?: string;
  to?: string;
  /** Stores a sealed record file with the ledger entries of the objects it holds (those done with). */
  store(data: Buffer, objects: LedgerEntry[]): Promise<void>;
  fileBytes?: number;
}

/**
 * A shard's reading target: each object's records become compact NDJSON lines, compressed as they gather and
 * kept apart until the object was read to its end, then appended to the current record file. The merge reads
 * the files back through the ordinary decoder, so each record counts there exactly as in a single run.
 */
export class ShardRecordFiles implements ObjectRecords {
  /** `countedBefore`: records of days an earlier run counted (ObjectIndex.countedFor), not written (see beginObject). */
  private readonly committed = { records: 0, countedBefore: 0 };
  private members: Buffer[] = [];
  private bytes = 0;
  private objects: LedgerEntry[] = [];
  private readonly writes: Promise<void>[] = [];
  private readonly window: DayWindow;
  private readonly readDays: string | undefined;

  constructor(private readonly options: ShardRecordFilesOptions) {
    this.window = new DayWindow(options.timezone, options.from, options.to);
    this.readDays = readDaysKey(options.from, options.to);
  }

  get counters(): { readonly records: number; readonly countedBefore: number } {
    return { ...this.committed };
  }

  /**
   * `countedFor`: the days whose records of this object an earlier --from/--to run counted. They are not written,
   * as a run would not count them (their log_ids may be pruned, so the merge's de-duplication would not catch
   * them); the merge adds their number to its records and duplicates.
   */
  beginObject(object: InputObject, countedFor?: string): ObjectRecordsPartial {
    const members: Buffer[] = [];
    let lines: string[] = [];
    let chars = 0;
    let records = 0;
    let countedBefore = 0;
    let outside = false;
    const counted = countedFor === undefined ? undefined : countedWindow(this.options.timezone, countedFor);
    const flush = () => {
      if (lines.length === 0) return;
      members.push(gzipSync(`${lines.join('\n')}\n`));
      lines = [];
      chars = 0;
    };
    return {
      add: (record: LogRecord) => {
        if (counted?.contains(record.dateMs)) {
          countedBefore++;
          return;
        }
        records++;
        if (!this.window.contains(record.dateMs)) outside = true;
        const line = compactRecordLine(record);
        lines.push(line);
        chars += line.length;
        if (chars >= MEMBER_CHARS) flush();
      },
      commit: () => {
        flush();
        this.committed.records += records;
        this.committed.countedBefore += countedBefore;
        for (const member of members) {
          this.members.push(member);
          this.bytes += member.length;
        }
        // By the key the ledger keeps (an absolute path): the merge may run in another working directory. An object
        // with records outside --from/--to is done with for these days only, as in a single run.
        this.objects.push(ledgerEntryOf(object, outside ? this.readDays : undefined));
        if (this.bytes >= (this.options.fileBytes ?? RECORD_FILE_BYTES)) this.seal();
      },
      abort: () => {
        lines = [];
        members.length = 0;
      },
      get sawOutOfRange() {
        return outside;
      },
    };
  }

  /** Stores what is left and waits for every record file to be stored. */
  async finish(): Promise<void> {
    if (this.members.length > 0 || this.objects.length > 0) this.seal();
    await Promise.all(this.writes);
  }

  private seal(): void {
    const write = this.options.store(Buffer.concat(this.members), this.objects);
    write.catch(() => undefined); // awaited in finish()
    this.writes.push(write);
    this.members = [];
    this.bytes = 0;
    this.objects = [];
  }
}
