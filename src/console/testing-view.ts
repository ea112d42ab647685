import { MDE_LIMITS, parseLimitKey, type LimitCounter, type LimitSettings } from '../domain/traffic/limits.js';
import type { FaultAction, FaultRule, FaultTrigger } from '../domain/traffic/faults.js';
import type { ConsoleTesting } from './console-deps.js';

/** One application's rate-limit state: a row per operation it has called. */
export interface AppLimits {
  readonly appId: string;
  readonly name: string;
  readonly limits: LimitSettings | null;
  readonly operations: readonly { operation: string; minute: number; hour: number; minuteResetsAt: number; hourResetsAt: number; throttled: boolean }[];
}

/** Limiter keys are `tenant/app/operation`; the panel groups them by application. */
export async function groupLimits(tenantId: string, counters: readonly LimitCounter[], names: ReadonlyMap<string, string>, testing: ConsoleTesting): Promise<AppLimits[]> {
  const byApp = new Map<string, LimitCounter[]>();
  for (const c of counters) {
    const key = parseLimitKey(c.key);
    if (key.tenantId === tenantId) byApp.set(key.appId, [...(byApp.get(key.appId) ?? []), c]);
  }
  const apps: AppLimits[] = [];
  for (const [appId, list] of byApp) {
    const limits = testing.limitsFor ? await testing.limitsFor(tenantId, appId) : MDE_LIMITS;
    apps.push({
      appId,
      name: names.get(appId) ?? appId,
      limits,
      operations: list.map((c) => ({
        operation: parseLimitKey(c.key).operation,
        minute: c.minuteCount,
        hour: c.hourCount,
        minuteResetsAt: c.minuteStart + 60_000,
        hourResetsAt: c.hourStart + 3_600_000,
        throttled: limits !== null && ((limits.perMinute !== null && c.minuteCount >= limits.perMinute) || (limits.perHour !== null && c.hourCount >= limits.perHour)),
      })),
    });
  }
  return apps;
}

export function describeAction(action: FaultAction): string {
  switch (action.kind) {
    case 'error':
      return `error ${action.code}${action.retryAfterSeconds ? ` (Retry-After ${action.retryAfterSeconds} s)` : ''}`;
    case 'latency':
      return `${action.ms} ms latency`;
    case 'drop':
      return 'drop the connection';
    case 'truncate':
      return 'truncate the body';
    case 'outcome':
      return action.steer.outcome === 'Failed' ? `action ends Failed (HRESULT ${action.steer.errorHResult})` : action.steer.outcome === 'TimeOut' ? 'action times out' : 'action stays Pending';
  }
}

export function describeTrigger(trigger: FaultTrigger): string {
  switch (trigger.kind) {
    case 'always':
      return 'every matching call';
    case 'calls':
      return trigger.from === trigger.to ? `call ${trigger.from}` : `calls ${trigger.from}-${trigger.to}`;
    case 'rate':
      return `${Math.round(trigger.rate * 1000) / 10}% of calls (seed ${trigger.seed})`;
    case 'span':
      return `from ${new Date(trigger.from).toISOString()}${trigger.until >= Number.MAX_SAFE_INTEGER ? '' : ` until ${new Date(trigger.until).toISOString()}`}`;
  }
}

/** "SetDeviceValue; app de70...; POST" or "every call". */
export function describeScope(rule: FaultRule): string {
  const parts = [rule.operations, rule.applications, rule.methods, rule.machines].filter((l): l is readonly string[] => !!l && l.length > 0).map((l) => l.join(', '));
  return parts.length === 0 ? 'every call' : parts.join('; ');
}
