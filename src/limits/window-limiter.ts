import type { Admission, LimitCounter, LimitSettings, RateLimiter } from '../domain/traffic/limits.js';
import type { Clock } from '../shared/clock.js';
import { current, decide, HOUR_MS, toCounter, type WindowState } from './windows.js';

/**
 * The limiter of a single instance: each key's windows (windows.ts) in a map. Time comes from
 * the injected clock, so tests move it instead of sleeping. A lookup and two increments: a few
 * hundred nanoseconds a call. Counters are snapshotted to the store so a restart hands out no
 * fresh budget; several instances use a shared limiter instead (postgres-limiter, redis-limiter).
 */
export class WindowLimiter implements RateLimiter {
  private readonly windows = new Map<string, WindowState>();

  constructor(private readonly clock: Clock) {}

  consume(key: string, limits: LimitSettings): Admission {
    const now = this.clock.now();
    const w = current(this.windows.get(key), now);
    const admission = decide(w, limits, now);
    this.windows.set(key, admission.admitted ? { ...w, minuteCount: w.minuteCount + 1, hourCount: w.hourCount + 1 } : w);
    return admission;
  }

  /** One key's windows as they stand now (zero counts for a key never seen). */
  counter(key: string): LimitCounter {
    const now = this.clock.now();
    return toCounter(key, current(this.windows.get(key), now), now);
  }

  counters(prefix: string): LimitCounter[] {
    const now = this.clock.now();
    const out: LimitCounter[] = [];
    for (const [key, w] of this.windows) if (key.startsWith(prefix)) out.push(toCounter(key, w, now));
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  reset(prefix: string): void {
    for (const key of [...this.windows.keys()]) if (key.startsWith(prefix)) this.windows.delete(key);
  }

  /** Loads counters saved by an earlier run, so a restart does not hand out a fresh budget. */
  restore(counters: readonly LimitCounter[]): void {
    for (const { key, ...w } of counters) this.windows.set(key, w);
  }

  /** Every live counter (expired windows are dropped here, which also bounds memory). */
  snapshot(): LimitCounter[] {
    const now = this.clock.now();
    for (const [key, w] of this.windows) if (now - w.hourStart >= HOUR_MS) this.windows.delete(key);
    return this.counters('');
  }
}
