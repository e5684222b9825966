import type { SummaryEnvelope } from '../rollup/summaryEvent';
import type { DeliverOptions, DeliveryResult, SummarySink } from './summarySink';
import { NdjsonWriter } from './ndjsonFile';

/** `--output FILE|-`: each summary event exactly as it would be POSTed to HEC, one a line. */
export class NdjsonSummarySink implements SummarySink {
  readonly name: string;
  private readonly writer: NdjsonWriter;

  constructor(target: string, stdout?: NodeJS.WritableStream) {
    this.name = target === '-' ? 'stdout' : target;
    this.writer = new NdjsonWriter(target, stdout);
  }

  async deliver(events: readonly SummaryEnvelope[], options?: DeliverOptions): Promise<DeliveryResult> {
    await this.writer.writeAll(events);
    // The summaries' last call: a write that failed fails the run here, before its run event says how it went.
    if (!options?.more) await this.writer.flush();
    return { delivered: events.length, spooled: 0 };
  }

  publish(): Promise<void> {
    return this.writer.publish();
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  /** Closes without writing the file: the run did not start. */
  discard(): Promise<void> {
    return this.writer.close(false);
  }
}
