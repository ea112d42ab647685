import type { Admission, LimitCounter, LimitSettings, RateLimiter } from '../domain/limits.js';
import type { Clock } from '../shared/clock.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface Windows {
  minuteStart: number;
  minuteCount: number;
  hourStart: number;
  hourCount: number;
}

/**
 * Fixed windows that open with a key's first call and last a minute and an hour; a refused call
 * does not count. `Retry-After` is the time until the window that refused the call closes, so a
 * client that waits exactly that long is admitted. Time comes from the injected clock, so tests
 * move it instead of sleeping. A lookup and two increments: a few hundred nanoseconds a call.
 */
export class WindowLimiter implements RateLimiter {
  private readonly windows = new Map<string, Windows>();

  constructor(private readonly clock: Clock) {}

  consume(key: string, limits: LimitSettings): Admission {
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (!w) {
      w = { minuteStart: now, minuteCount: 0, hourStart: now, hourCount: 0 };
      this.windows.set(key, w);
    }
    if (now - w.minuteStart >= MINUTE) {
      w.minuteStart = now;
      w.minuteCount = 0;
    }
    if (now - w.hourStart >= HOUR) {
      w.hourStart = now;
      w.hourCount = 0;
    }
    let waitMs = 0;
    if (limits.perMinute !== null && w.minuteCount >= limits.perMinute) waitMs = w.minuteStart + MINUTE - now;
    if (limits.perHour !== null && w.hourCount >= limits.perHour) waitMs = Math.max(waitMs, w.hourStart + HOUR - now);
    if (waitMs > 0) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    w.minuteCount++;
    w.hourCount++;
    return { admitted: true };
  }

  counters(prefix: string): LimitCounter[] {
    const now = this.clock.now();
    const out: LimitCounter[] = [];
    for (const [key, w] of this.windows) {
      if (!key.startsWith(prefix)) continue;
      out.push({
        key,
        minuteStart: w.minuteStart,
        minuteCount: now - w.minuteStart < MINUTE ? w.minuteCount : 0,
        hourStart: w.hourStart,
        hourCount: now - w.hourStart < HOUR ? w.hourCount : 0,
      });
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  reset(prefix: string): void {
    for (const key of [...this.windows.keys()]) if (key.startsWith(prefix)) this.windows.delete(key);
  }

  /** Loads counters saved by an earlier run, so a restart does not hand out a fresh budget. */
  restore(counters: readonly LimitCounter[]): void {
    for (const c of counters) {
      this.windows.set(c.key, { minuteStart: c.minuteStart, minuteCount: c.minuteCount, hourStart: c.hourStart, hourCount: c.hourCount });
    }
  }

  /** Every live counter (expired windows are dropped here, which also bounds memory). */
  snapshot(): LimitCounter[] {
    const now = this.clock.now();
    for (const [key, w] of this.windows) if (now - w.hourStart >= HOUR) this.windows.delete(key);
    return this.counters('');
  }
}
