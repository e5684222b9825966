/** What the run tells a progress display as it goes; the implementations live in progress.ts. */
export interface ProgressReporter {
  objectListed(size?: number): void;
  objectStarted(name: string): void;
  bytesRead(bytes: number): void;
  objectDone(): void;
  finish(): void;
}
