/**
 * Runs `work` on every item with at most `limit` calls in flight, starting the next as soon as
 * any finishes (a window, not batches: one slow call does not hold the other slots idle), and
 * resolves with the results in the items' order. Rejects with the first failure; calls already
 * started are left to finish.
 */
export async function inFlight<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
