/**
 * Mutual exclusion per key, within this process: `run(keys, fn)` starts `fn` once every earlier
 * holder of any of its keys has finished. All keys are queued for in one synchronous step, so a
 * caller only ever waits for callers that queued before it, and no two callers can deadlock.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const unique = [...new Set(keys)];
    const earlier = unique.map((key) => {
      const previous = this.tails.get(key);
      this.tails.set(key, held);
      return previous;
    });
    try {
      await Promise.all(earlier);
      return await fn();
    } finally {
      release();
      for (const key of unique) if (this.tails.get(key) === held) this.tails.delete(key);
    }
  }
}
