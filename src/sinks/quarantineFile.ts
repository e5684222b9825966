import ndjson from 'ndjson';
import type { QuarantineItem } from '../decode/logRecord';
import { NdjsonWriter } from './ndjsonFile';

/** `--quarantine FILE`: every malformed or rejected input item as `{source, line, reason, raw}`, one a line. */
export class QuarantineFile {
  private readonly writer: NdjsonWriter;

  constructor(readonly target: string) {
    // Items come one at a time, at most a hundred an object: the ndjson package's serializer, whose per-line cost
    // (about 10 µs against 3 for the summaries' batched JSON.stringify) does not matter here.
    this.writer = new NdjsonWriter(target, process.stdout, () => ndjson.stringify());
  }

  async write(items: readonly QuarantineItem[]): Promise<void> {
    for (const item of items) await this.writer.write({ source: item.source, line: item.line, reason: item.reason, raw: item.raw });
  }

  /**
   * Moves the items written so far into place and goes on writing after them (NdjsonWriter.publish): a run with a
   * state calls this before its commit, since no later run reads the committed objects again to set them aside.
   */
  publish(): Promise<void> {
    return this.writer.publish();
  }

  /**
   * Resolves once every item written so far has reached the file, and rejects with the write's failure if one did
   * not (NdjsonWriter.flush): a full disk otherwise shows only at close(), after the run event said how the run went.
   */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  /** Closes without writing the file: the run did not start. */
  discard(): Promise<void> {
    return this.writer.close(false);
  }
}
