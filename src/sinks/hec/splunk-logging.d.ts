// The parts of splunk-logging 0.11 the transport uses (the package ships no types; the DefinitelyTyped
// ones describe `request`, which it no longer uses).
declare module 'splunk-logging' {
  import type { IncomingMessage } from 'node:http';

  export interface SplunkLoggerConfig {
    token: string;
    protocol?: 'http' | 'https';
    host?: string;
    port?: number;
    path?: string;
    maxRetries?: number;
    batchInterval?: number;
    maxBatchSize?: number;
    maxBatchCount?: number;
  }

  export interface SplunkRequestOptions {
    headers: Record<string, string>;
    [option: string]: unknown;
  }

  export type FlushCallback = (error: Error | null, response: IncomingMessage | undefined, body: unknown) => void;

  export class Logger {
    constructor(config: SplunkLoggerConfig);
    requestOptions: SplunkRequestOptions;
    /** Serialized events joined with "" into one body by flush(). */
    serializedContextQueue: string[];
    eventsBatchSize: number;
    eventFormatter: (message: unknown, severity: string) => unknown;
    error: (error: Error, context: unknown) => void;
    flush(callback?: FlushCallback): void;
    /** Internal: performs the POST through needle. */
    _post: (requestOptions: SplunkRequestOptions, callback: FlushCallback) => void;
  }
}
