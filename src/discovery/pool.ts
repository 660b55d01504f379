/** Runs `task` over `items` with at most `limit` in flight; stops dispatching once aborted. */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length && !signal?.aborted && !failed) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T);
      } catch (error) {
        // One failure stops the other workers from taking new items; the error surfaces below.
        failed = true;
        throw error;
      }
    }
  });
  await Promise.all(workers);
  return results;
}
