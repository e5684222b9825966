/**
 * Runs `task` over items from an async iterable with at most `limit` in flight. Items are pulled lazily, so a
 * listing that is still paging feeds the workers as it goes. The first failure stops new work and is rethrown
 * once the tasks in flight have settled. When `signal` fires first, no further item is taken (a listing page
 * still being fetched is not waited for) and `signal.reason` is thrown once the tasks in flight have settled;
 * stopping those is the task's own business.
 */
export async function forEachConcurrent<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  task: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : pulled(items);
  let failed = false;
  let failure: unknown;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    failure = err;
  };
  // Workers waiting for the listing; woken with `undefined` when the signal fires.
  const waiting = new Set<() => void>();
  const onAbort = () => {
    fail(signal!.reason);
    for (const wake of waiting) wake();
  };
  if (signal?.aborted) fail(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });

  function nextItem(): Promise<IteratorResult<T> | undefined> {
    if (!signal) return iterator.next();
    return new Promise((resolve, reject) => {
      const wake = () => resolve(undefined);
      waiting.add(wake);
      iterator.next().then(
        (result) => {
          waiting.delete(wake);
          resolve(result);
        },
        (err: unknown) => {
          waiting.delete(wake);
          reject(err);
        },
      );
    });
  }

  async function worker(): Promise<void> {
    while (!failed) {
      const next = await nextItem();
      if (next === undefined || next.done || failed) return;
      try {
        await task(next.value);
      } catch (err) {
        fail(err);
      }
    }
  }

  // One shared iterator: concurrent next() calls on an async generator are queued by the language.
  const workers = Array.from({ length: Math.max(1, limit) }, () => worker().catch(fail));
  await Promise.all(workers);
  signal?.removeEventListener('abort', onAbort);
  if (!failed) return;
  if (signal?.aborted && failure === signal.reason) {
    // A next() may still be pending (a listing page on its way); return() waits behind it, so is not awaited.
    iterator.return?.()?.catch(() => undefined);
  } else {
    await iterator.return?.();
  }
  throw failure;
}

/** A list as an async iterable, so that one worker loop serves both. */
async function* pulled<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
