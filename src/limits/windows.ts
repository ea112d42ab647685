import type { Admission, LimitCounter, LimitSettings } from '../domain/traffic/limits.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** One key's two fixed windows: each opens with the first call after the previous one closed. */
export interface WindowState {
  readonly minuteStart: number;
  readonly minuteCount: number;
  readonly hourStart: number;
  readonly hourCount: number;
}

/** The windows as they stand at `now`: a closed window reopens empty. */
export function current(w: WindowState | undefined, now: number): WindowState {
  if (!w) return { minuteStart: now, minuteCount: 0, hourStart: now, hourCount: 0 };
  const minuteOpen = now - w.minuteStart < MINUTE_MS;
  const hourOpen = now - w.hourStart < HOUR_MS;
  return {
    minuteStart: minuteOpen ? w.minuteStart : now,
    minuteCount: minuteOpen ? w.minuteCount : 0,
    hourStart: hourOpen ? w.hourStart : now,
    hourCount: hourOpen ? w.hourCount : 0,
  };
}

/**
 * The rule every limiter applies, in memory or shared: a call is admitted while both open
 * windows have room; a refused call does not count, and it is told to come back when the window
 * that refused it closes (whole seconds, never zero). The shared limiters run the same rule
 * inside PostgreSQL or Redis so that checking and counting are one atomic step.
 */
export function decide(w: WindowState, limits: LimitSettings, now: number): Admission {
  let waitMs = 0;
  if (limits.perMinute !== null && w.minuteCount >= limits.perMinute) waitMs = w.minuteStart + MINUTE_MS - now;
  if (limits.perHour !== null && w.hourCount >= limits.perHour) waitMs = Math.max(waitMs, w.hourStart + HOUR_MS - now);
  // `w` is current(), so a full window is still open and waitMs is positive.
  return waitMs > 0 ? { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) } : { admitted: true };
}

/** A counter as the console and CLI show it: a closed window counts zero. */
export function toCounter(key: string, w: WindowState, now: number): LimitCounter {
  return {
    key,
    minuteStart: w.minuteStart,
    minuteCount: now - w.minuteStart < MINUTE_MS ? w.minuteCount : 0,
    hourStart: w.hourStart,
    hourCount: now - w.hourStart < HOUR_MS ? w.hourCount : 0,
  };
}
