import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { makeDirsSync } from '../support/makeDirs';

/** Where one working set's bytes are in the spill file, and the room it has there. */
export interface SpillRegion {
  readonly at: number;
  readonly length: number;
  readonly capacity: number;
}

/**
 * The working sets a day store evicts, in one scratch file of the run: each at a region, rewritten in place when
 * it still fits. One file, not one a tenant-day: with tens of thousands of tenants, creating and removing a file
 * for each cost more than writing its bytes (two thirds of a 2,000-tenant backfill's time went to unlink alone).
 * A working set that outgrew its region moves to the end with as much room again, so one evicted and read back
 * again and again (input in random day order) mostly stays in place, and the file stays under four times the bytes
 * of the latest versions (each working set only grows: what it left behind is less than twice its latest length).
 * Synchronous, as the store's callers (decode callbacks) cannot wait.
 */
export class SpillFile {
  private fd: number | undefined;
  private closed = false;
  private end = 0;

  constructor(private readonly file: string) {}

  /** Bytes the file takes, with the regions outgrown and the room left in each. */
  get size(): number {
    return this.end;
  }

  /** Writes `parts` one after another into `previous` when they fit, else at the end; returns where they are. */
  write(parts: readonly Uint8Array[], previous?: SpillRegion): SpillRegion {
    let length = 0;
    for (const part of parts) length += part.byteLength;
    let region: SpillRegion;
    if (previous !== undefined && length <= previous.capacity) region = { at: previous.at, length, capacity: previous.capacity };
    else {
      // First written: as it is (most are written once). Outgrown: twice its size, so that its growth is paid once.
      region = { at: this.end, length, capacity: previous === undefined ? length : 2 * length };
      this.end += region.capacity;
    }
    const fd = this.open();
    let position = region.at;
    for (const part of parts) {
      for (let done = 0; done < part.byteLength; ) {
        const wrote = writeSync(fd, part, done, part.byteLength - done, position);
        done += wrote;
        position += wrote;
      }
    }
    return region;
  }

  /** The bytes last written at `region`. */
  read(region: SpillRegion): Buffer {
    const bytes = Buffer.allocUnsafe(region.length);
    for (let done = 0; done < region.length; ) {
      const got = readSync(this.open(), bytes, done, region.length - done, region.at + done);
      if (got === 0) throw new Error(`the scratch file ${this.file} ends before ${region.at + region.length} bytes`);
      done += got;
    }
    return bytes;
  }

  /** Closes the file (it stays, for the run to remove with its scratch folder). */
  close(): void {
    this.closed = true;
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  private open(): number {
    // Opened again it would be emptied: what it held is gone.
    if (this.closed) throw new Error(`the scratch file ${this.file} was closed`);
    if (this.fd === undefined) {
      makeDirsSync(path.dirname(this.file));
      this.fd = openSync(this.file, 'w+');
    }
    return this.fd;
  }
}
