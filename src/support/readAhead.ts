/**
 * Iterates `items` ahead of its consumer: a background loop pulls items into a queue until `isFull(queued)` says
 * stop, so what was pulled is known (and counted) before it is consumed. A failure of `items` is thrown to the
 * consumer once the items pulled before it are consumed. When the consumer stops early, or `signal` fires, pulling
 * stops and `items` is returned (not awaited: a page still being fetched is not waited for).
 */
export async function* readAhead<T>(items: AsyncIterable<T>, isFull: (queued: number) => boolean, signal?: AbortSignal): AsyncGenerator<T> {
  const iterator = items[Symbol.asyncIterator]();
  let queue: T[] = [];
  let head = 0;
  let ended = false;
  let stopped = false;
  let failure: { err: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakePuller: (() => void) | undefined;
  const wake = (which: 'consumer' | 'puller') => {
    const resolve = which === 'consumer' ? wakeConsumer : wakePuller;
    if (which === 'consumer') wakeConsumer = undefined;
    else wakePuller = undefined;
    resolve?.();
  };
  const stop = () => {
    stopped = true;
    wake('puller');
    wake('consumer');
  };
  signal?.addEventListener('abort', stop, { once: true });

  void (async () => {
    try {
      while (!stopped) {
        if (isFull(queue.length - head)) {
          await new Promise<void>((resolve) => (wakePuller = resolve));
          continue;
        }
        const next = await iterator.next();
        if (next.done) return;
        queue.push(next.value);
        wake('consumer');
      }
    } catch (err) {
      failure = { err };
    } finally {
      ended = true;
      wake('consumer');
    }
  })();

  try {
    while (!stopped && !signal?.aborted) {
      if (head < queue.length) {
        const item = queue[head++];
        // Drop consumed items now and then rather than shift() each one (O(n) on a long queue).
        if (head >= 1024 && head * 2 >= queue.length) {
          queue = queue.slice(head);
          head = 0;
        }
        wake('puller');
        yield item;
        continue;
      }
      if (failure) throw failure.err;
      if (ended) return;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    const wasEnded = ended;
    stop();
    if (!wasEnded) iterator.return?.()?.catch(() => undefined);
  }
}
