export { S3Source, type S3SourceOptions } from './s3Source';
export { dayRangeFilter, keyDayMs, type DayRange } from '../datePath';
export {
  S3ReadError,
  S3StallError,
  S3BodyError,
  S3RequestError,
  isRetryableReadError,
  describeS3Failure,
} from './s3Errors';

import { createS3Client, type S3ClientOptions } from '../../aws/s3Client';
import type { DayRange } from '../datePath';
import { S3Source } from './s3Source';

/** An `S3Source` with its own client built from CLI/env options; call `close()` when done. */
export function createS3Source(url: string, options: S3ClientOptions & { dayRange?: DayRange } = {}): S3Source {
  return new S3Source({
    url,
    client: createS3Client(options),
    dayRange: options.dayRange,
    stallSeconds: options.stallSeconds,
    endpoint: options.endpoint,
    ownsClient: true,
  });
}
