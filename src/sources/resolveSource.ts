import type { S3Client } from '@aws-sdk/client-s3';
import type { Source } from './inputObject';
import type { InputFilter } from './inputFilter';
import { LocalFileSource } from './localFiles';
import type { DayRange } from './datePath';
import type { S3ClientOptions } from '../aws/s3ClientOptions';
import { isS3Url } from '../aws/s3Url';
import type { S3InputSet } from './s3/s3InputSet';

/**
 * Maps each `--input` to its source: s3:// URLs to S3 (one client shared by all of them, created on first use),
 * anything else to local files. The S3 modules are loaded only when an s3:// input is resolved.
 */
export class SourceResolver {
  private s3Client?: S3Client;
  /** Local files listed so far, by every local input: one file reached through two inputs is read once. */
  private readonly listedFiles = new Set<string>();
  /** The same for S3 objects, whose inputs' prefixes may nest. */
  private s3Inputs?: S3InputSet;

  constructor(
    private readonly options: {
      s3?: S3ClientOptions;
      dayRange?: DayRange;
      /** --include/--exclude, for every input. */
      filter?: InputFilter;
      /** What the run writes locally (--output, --quarantine, the spool): never read as input. */
      ownOutputs?: readonly string[];
    } = {},
  ) {}

  resolve(input: string): Source {
    if (!isS3Url(input)) {
      return new LocalFileSource(input, { filter: this.options.filter, ownOutputs: this.options.ownOutputs, dayRange: this.options.dayRange, listedFiles: this.listedFiles });
    }
    // Loaded on first use: the AWS SDK takes about 50 ms to load, which a local run need not pay.
    const { S3Source } = require('./s3/s3Source') as typeof import('./s3/s3Source');
    const { createS3Client } = require('../aws/s3Client') as typeof import('../aws/s3Client');
    const { S3InputSet } = require('./s3/s3InputSet') as typeof import('./s3/s3InputSet');
    this.s3Inputs ??= new S3InputSet();
    this.s3Client ??= createS3Client(this.options.s3 ?? {});
    return new S3Source({
      url: input,
      client: this.s3Client,
      dayRange: this.options.dayRange,
      filter: this.options.filter,
      stallSeconds: this.options.s3?.stallSeconds,
      endpoint: this.options.s3?.endpoint,
      inputs: this.s3Inputs,
    });
  }

  /** Releases the S3 client's sockets. */
  close(): void {
    this.s3Client?.destroy();
  }
}
