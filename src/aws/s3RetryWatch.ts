/**
 * The AWS SDK retries a failed S3 request itself (its standard strategy: up to 3 attempts, with a growing random
 * delay) before the caller sees anything: a throttled bucket or a flaky network shows only as a slower run. This
 * watch tells an S3RetryObserver of every request that took more than one attempt.
 */

import type { S3Client, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { FinalizeRequestMiddleware, HandlerExecutionContext, ResponseMetadata } from '@smithy/types';
import type { S3RetryObserver } from './s3ClientOptions';
import { s3FailureFacts, transientFailureText } from './s3NetworkFailure';

/** What a request's output or error says of its attempts: the SDK's retry middleware sets both on either. */
type RetryMetadata = Pick<ResponseMetadata, 'attempts' | 'totalRetryDelay'>;

/** Why an attempt failed, in the words of the job's own messages: `HTTP 503 SlowDown`, `ECONNRESET`. */
function attemptFailureText(error: unknown): string {
  const facts = s3FailureFacts(error);
  return transientFailureText(facts) ?? ([facts.status === undefined ? '' : `HTTP ${facts.status}`, facts.name].filter(Boolean).join(' ') || 'unknown error');
}

/**
 * Adds two middlewares to `client`: one inside the SDK's retry loop that keeps each attempt's failure, and one
 * around the whole request that reads the attempts and the delay the SDK records in `$metadata` (on the output, or
 * on the error of a request that failed for good) and tells `observer` when there was more than one.
 * The request's bucket, key or prefix are passed on; never its headers, signature or URL.
 */
export function watchRetries(client: S3Client, observer: S3RetryObserver): void {
  const lastFailure = new WeakMap<HandlerExecutionContext, unknown>();
  const eachAttempt: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      lastFailure.set(context, error);
      throw error;
    }
  };
  client.middlewareStack.addRelativeTo(eachAttempt, { relation: 'after', toMiddleware: 'retryMiddleware', name: 'auth0UsageAttemptFailure', override: true });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const tell = (metadata: RetryMetadata | undefined, failed: boolean) => {
        const attempts = metadata?.attempts ?? 1;
        if (attempts < 2) return;
        const input = args.input as { Bucket?: string; Key?: string; Prefix?: string };
        const operation = (context.commandName ?? 'S3 request').replace(/Command$/, '');
        const listing = operation.startsWith('List');
        observer.retried({
          operation,
          bucket: input.Bucket,
          key: listing ? undefined : input.Key,
          prefix: listing ? (input.Prefix ?? '') : undefined,
          attempts,
          retryDelayMs: metadata?.totalRetryDelay ?? 0,
          reason: attemptFailureText(lastFailure.get(context)),
          failed,
        });
      };
      try {
        const result = await next(args);
        tell(result.output.$metadata, false);
        return result;
      } catch (error) {
        tell((error as { $metadata?: RetryMetadata } | undefined)?.$metadata, true);
        throw error;
      }
    },
    // Outermost: a redirect to the bucket's region (followRegionRedirects) sends the request again below it, and
    // only that second request's own attempts count as retries.
    { step: 'initialize', priority: 'high', name: 'auth0UsageRetryCount', override: true },
  );
}
