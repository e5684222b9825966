/** What the run tells a progress display as it goes; the implementations live in progress.ts. */
export interface ProgressReporter {
  objectListed(size?: number): void;
  /** Every input is listed: objects_listed is now the run's total, and an ETA can be worked out. */
  listingDone(): void;
  objectStarted(name: string): void;
  bytesRead(bytes: number): void;
  recordsRead(records: number): void;
  /** An object is read again from its start: the bytes and records its failed attempt read no longer count. */
  objectRetried(bytes: number, records: number): void;
  objectDone(): void;
  /** Reading ended: `failed` when it failed or was stopped before the end. */
  finish(failed?: boolean): void;
}
