/**
 * Iterates pages while the next one is already being fetched, so a consumer working through one page
 * of keys never waits on the round trip for the next. `onWait(true|false)` brackets every fetch, which
 * the caller uses as a stall watchdog.
 */
export async function* prefetchPages<T>(pages: AsyncIterable<T>, onWait: (waiting: boolean) => void): AsyncGenerator<T> {
  const it = pages[Symbol.asyncIterator]();
  const fetchNext = (): Promise<IteratorResult<T>> => {
    onWait(true);
    const p = it.next().finally(() => onWait(false));
    // Rejections are observed by the `await` below; if the consumer stops first, nobody awaits this one.
    p.catch(() => undefined);
    return p;
  };
  let pending = fetchNext();
  for (;;) {
    const result = await pending;
    if (result.done) return;
    pending = fetchNext();
    yield result.value;
  }
}
