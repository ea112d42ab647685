/**
 * Rate limits as the real service applies them (spec section 7): per tenant + client
 * application + operation, 100 calls a minute and 1500 an hour, both at once. Settings resolve
 * from the most specific level that says something: application, then tenant, then global.
 */
export interface LimitSettings {
  /** Calls admitted per minute; null means no per-minute limit. */
  readonly perMinute: number | null;
  readonly perHour: number | null;
}

/** What a tenant or an application may say; absent fields fall through to the next level. */
export interface LimitOverride {
  readonly enabled?: boolean;
  readonly perMinute?: number | null;
  readonly perHour?: number | null;
}

export const MDE_LIMITS: LimitSettings = { perMinute: 100, perHour: 1500 };

/** The limits in force for one caller, or null when limits are off for it. */
export function effectiveLimits(global: LimitOverride, tenant?: LimitOverride, app?: LimitOverride): LimitSettings | null {
  const levels = [app, tenant, global];
  const pick = <K extends keyof LimitOverride>(key: K): LimitOverride[K] => levels.find((l) => l?.[key] !== undefined)?.[key];
  if (pick('enabled') === false) return null;
  const perMinute = pick('perMinute');
  const perHour = pick('perHour');
  return {
    perMinute: perMinute === undefined ? MDE_LIMITS.perMinute : perMinute,
    perHour: perHour === undefined ? MDE_LIMITS.perHour : perHour,
  };
}

/**
 * An operation's own, lower limits (live response 10 a minute, the package link 2 a minute and
 * 120 an hour) apply on top of whatever the caller's settings allow.
 */
export function capLimits(limits: LimitSettings, cap: Partial<LimitSettings> | undefined): LimitSettings {
  if (!cap) return limits;
  const lower = (a: number | null, b: number | null | undefined) => (b === undefined || b === null ? a : a === null ? b : Math.min(a, b));
  return { perMinute: lower(limits.perMinute, cap.perMinute), perHour: lower(limits.perHour, cap.perHour) };
}

export type Admission = { readonly admitted: true } | { readonly admitted: false; readonly retryAfterSeconds: number };

/** The state of one key's windows, for the console, the CLI and persistence. */
export interface LimitCounter {
  readonly key: string;
  readonly minuteStart: number;
  readonly minuteCount: number;
  readonly hourStart: number;
  readonly hourCount: number;
}

/**
 * Counts calls per key in a one-minute and a one-hour window. Implementations: in memory (one
 * instance, snapshots persisted), and shared ones for several instances.
 */
export interface RateLimiter {
  consume(key: string, limits: LimitSettings): Admission | Promise<Admission>;
  counters(prefix: string): LimitCounter[] | Promise<LimitCounter[]>;
  reset(prefix: string): void | Promise<void>;
}

/** tenant + application + operation: the real service's unit of limiting. */
export const limitKey = (tenantId: string, appId: string, operation: string): string => `${tenantId}/${appId}/${operation}`;

/** The parts of a limitKey (tenant and application ids hold no '/'). */
export function parseLimitKey(key: string): { tenantId: string; appId: string; operation: string } {
  const [tenantId = '', appId = '', ...operation] = key.split('/');
  return { tenantId, appId, operation: operation.join('/') };
}
