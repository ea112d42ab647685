import type { LimitCounterStore } from '../domain/ports.js';
import type { Admission, LimitCounter, LimitSettings, RateLimiter } from '../domain/traffic/limits.js';
import type { WindowLimiter } from './window-limiter.js';

/**
 * The single instance's limiter on SQLite: counted in memory (window-limiter.ts), and every
 * admitted call's key written to the store before the call goes on. The write rides the store's
 * group commit (docs/adr/0007), so it costs a row in a transaction that commits anyway and shares
 * its flush with the other writes of that turn; a refused call writes nothing. After kill -9,
 * every call that was admitted is still counted (docs/running.md "What survives a crash").
 */
export class PersistedLimiter implements RateLimiter {
  constructor(
    private readonly memory: WindowLimiter,
    private readonly store: LimitCounterStore,
  ) {}

  async consume(key: string, limits: LimitSettings): Promise<Admission> {
    const admission = this.memory.consume(key, limits);
    // The state after this call, not a +1: concurrent calls on one key are written in the order
    // they were counted (the group commit applies writes in submission order), the last one wins.
    if (admission.admitted) await this.store.saveLimitCounter(this.memory.counter(key));
    return admission;
  }

  counters(prefix: string): LimitCounter[] {
    return this.memory.counters(prefix);
  }

  /** An admin's reset is written at once, so a crash right after does not bring the old counts back. */
  async reset(prefix: string): Promise<void> {
    this.memory.reset(prefix);
    await this.store.saveLimitCounters(this.memory.snapshot());
  }
}
