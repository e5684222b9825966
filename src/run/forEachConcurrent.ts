/**
 * Runs `task` over items from an async iterable with at most `limit` in flight. Items are pulled lazily, so a
 * listing that is still paging feeds the workers as it goes. The first failure stops new work and is rethrown
 * once the tasks in flight have settled.
 */
export async function forEachConcurrent<T>(
  items: AsyncIterable<T>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  let failed = false;
  let failure: unknown;

  async function worker(): Promise<void> {
    while (!failed) {
      const next = await iterator.next();
      if (next.done) return;
      try {
        await task(next.value);
      } catch (err) {
        if (!failed) {
          failed = true;
          failure = err;
        }
      }
    }
  }

  // One shared iterator: concurrent next() calls on an async generator are queued by the language.
  const workers = Array.from({ length: Math.max(1, limit) }, () =>
    worker().catch((err) => {
      if (!failed) {
        failed = true;
        failure = err;
      }
    }),
  );
  await Promise.all(workers);
  if (failed) {
    await iterator.return?.();
    throw failure;
  }
}
