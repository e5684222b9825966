/**
 * Resolves once `condition()` holds, checked every 10 ms; how long that takes decides nothing. After 20 s it
 * fails naming `what`, so that a condition that never comes shows as itself rather than as a test timeout.
 */
export async function until(condition: () => boolean, what = 'the condition'): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}
