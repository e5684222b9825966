import { Writable } from 'node:stream';
import type { S3RetriedRequest } from '../../../src/aws/s3ClientOptions';
import { RETRIED_REQUESTS_LOGGED, S3RetryLog } from '../../../src/aws/s3RetryLog';
import { createLogger } from '../../../src/support/logger';

function logged() {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', stream: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
  return { log, lines: () => lines.map((line) => JSON.parse(line)) };
}

const get = (n: number, more: Partial<S3RetriedRequest> = {}): S3RetriedRequest => ({
  operation: 'GetObject',
  bucket: 'archive',
  key: `logs/${n}.gz`,
  prefix: undefined,
  attempts: 2,
  retryDelayMs: 10,
  reason: 'HTTP 503 SlowDown',
  failed: false,
  ...more,
});

test('a retried request is one warn line: operation, bucket, key, attempts, delay and reason, and its retries counted', () => {
  const { log, lines } = logged();
  const retries = new S3RetryLog(log);
  retries.retried(get(1, { attempts: 3, retryDelayMs: 812 }));
  retries.retried({ ...get(2), operation: 'ListObjectsV2', key: undefined, prefix: 'logs/', reason: 'ECONNRESET', failed: true });
  expect(retries.retries).toBe(3); // 2 + 1
  expect(lines().map(({ level, msg, operation, bucket, key, prefix, attempts, retry_delay_ms, reason, failed }) => ({ level, msg, operation, bucket, key, prefix, attempts, retry_delay_ms, reason, failed }))).toEqual([
    { level: 'warn', msg: 'S3 request retried by the AWS SDK', operation: 'GetObject', bucket: 'archive', key: 'logs/1.gz', attempts: 3, retry_delay_ms: 812, reason: 'HTTP 503 SlowDown' },
    { level: 'warn', msg: 'S3 request retried by the AWS SDK', operation: 'ListObjectsV2', bucket: 'archive', prefix: 'logs/', attempts: 2, retry_delay_ms: 10, reason: 'ECONNRESET', failed: true },
  ]);
  retries.flush();
  expect(lines()).toHaveLength(2); // nothing left to sum up
});

test(`past ${RETRIED_REQUESTS_LOGGED} requests, the rest are summed up at most once a minute, and at the end`, () => {
  const { log, lines } = logged();
  let now = 1_000_000;
  const retries = new S3RetryLog(log, { now: () => now });
  for (let n = 1; n <= RETRIED_REQUESTS_LOGGED; n++) retries.retried(get(n));
  expect(lines()).toHaveLength(10);
  expect(lines()[9]).toMatchObject({ key: 'logs/10.gz', further: 'requests retried after these 10 are summed up, at most one line a minute' });
  expect(lines()[8].further).toBeUndefined();

  // 59.999 s after the 10th line: counted, not said.
  now += 59_999;
  retries.retried(get(11, { attempts: 3, retryDelayMs: 100 }));
  retries.retried(get(12, { reason: 'ECONNRESET' }));
  expect(lines()).toHaveLength(10);
  // A minute after it: the three so far in one line.
  now += 1;
  retries.retried(get(13));
  expect(lines()).toHaveLength(11);
  expect(lines()[10]).toMatchObject({
    level: 'warn',
    msg: 'S3 requests retried by the AWS SDK since the last such line',
    requests_retried: 3,
    retries: 4, // 2 + 1 + 1
    retry_delay_ms: 120, // 100 + 10 + 10
    reasons: { 'HTTP 503 SlowDown': 2, ECONNRESET: 1 },
    s3_retries: 14, // 10 + 4
  });
  expect(lines()[10].key).toBeUndefined();

  // The next one within the minute waits for the end of the run.
  now += 5_000;
  retries.retried(get(14));
  expect(lines()).toHaveLength(11);
  retries.flush();
  expect(lines()[11]).toMatchObject({ requests_retried: 1, retries: 1, retry_delay_ms: 10, reasons: { 'HTTP 503 SlowDown': 1 }, s3_retries: 15 });
  retries.flush();
  expect(lines()).toHaveLength(12);
  expect(retries.retries).toBe(15);
});
