/** A file of the run's scratch folder and the name it takes in the state. */
export interface PublishedFile {
  localFile: string;
  name: string;
}

/** How many state files are moved in (publish) or swept at once. */
export const FILES_AT_ONCE = 16;

/**
 * Where a state lives: a local folder or an S3 prefix. Names are relative, '/'-separated paths
 * (`manifest.json`, `days/acme/2024-03-01.7-….agg.json`). Everything the state keeps goes through this.
 */
export interface StateStorage {
  /** The folder or s3:// URL, for messages. */
  readonly location: string;
  /** Every stored name, recursively (empty for a folder or prefix that does not exist). */
  list(): Promise<string[]>;
  /** The bytes of `name`, or undefined when it does not exist. */
  read(name: string): Promise<Buffer | undefined>;
  /** When `name` was last written, by the store's own clock (S3: LastModified); undefined when it does not exist. */
  modifiedAt(name: string): Promise<Date | undefined>;
  /** Creates or replaces `name` atomically: a reader sees the old bytes or the new ones, never a mix. */
  write(name: string, data: Buffer): Promise<void>;
  /** Creates `name` only when it does not exist; false when it does (S3: a conditional put, where honoured). */
  create(name: string, data: Buffer): Promise<boolean>;
  /** The bytes of `name` and a version that changes with every write (S3: the ETag); undefined when it does not exist. */
  readVersioned(name: string): Promise<{ data: Buffer; version: string } | undefined>;
  /**
   * Replaces `name` only while it is still at `version`; false when it changed or is gone. On S3 a conditional put
   * (`If-Match`), where the store honours it; locally a check just before the rename (a narrow race the lock's
   * read-back and verify() cover).
   */
  replace(name: string, data: Buffer, version: string): Promise<boolean>;
  /**
   * Moves files from the scratch folder to their names (renames for a local state, uploads for S3), several at a
   * time: a commit publishes two files a changed tenant-day, and one at a time a backfill of many tenants waited
   * minutes on fsyncs or round trips. Once it resolves every file is durable; when it rejects, some may be in place
   * (no manifest names them yet: the next commit's sweep removes them).
   */
  publish(files: readonly PublishedFile[]): Promise<void>;
  remove(name: string): Promise<void>;
  /** A path to read `name` from synchronously: the file itself, or for S3 a copy made by fetchLocal(). */
  localPath(name: string): string | undefined;
  /** Makes local copies of stored files for synchronous reads (a no-op for a local state). */
  fetchLocal(names: readonly string[]): Promise<void>;
  /** A local folder for this run's staged files; for a local state on the same file system, so publish() renames. */
  scratchDir(token: string): string;
  /** Releases connections and local copies. */
  close(): Promise<void>;
}
