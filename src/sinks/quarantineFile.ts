import type { QuarantineItem } from '../decode/logRecord';
import { NdjsonWriter } from './ndjsonFile';

/** `--quarantine FILE`: every malformed or rejected input item as `{source, line, reason, raw}`, one a line. */
export class QuarantineFile {
  private readonly writer: NdjsonWriter;

  constructor(readonly target: string) {
    this.writer = new NdjsonWriter(target);
  }

  async write(items: readonly QuarantineItem[]): Promise<void> {
    for (const item of items) await this.writer.write({ source: item.source, line: item.line, reason: item.reason, raw: item.raw });
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  /** Closes without writing the file: the run did not start. */
  discard(): Promise<void> {
    return this.writer.close(false);
  }
}
