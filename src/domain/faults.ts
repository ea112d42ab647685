import type { ErrorCode } from './errors.js';

/**
 * Faults a tester can provoke (issue 4): an error in the real envelope, added latency, a
 * dropped connection or a truncated body, on the calls a rule matches and when its trigger says.
 * Triggers are deterministic: by call count, by a rate drawn from a seeded generator, or in a
 * time span, so a test that provokes a fault sees the same sequence on every run.
 */
export type FaultAction =
  | { readonly kind: 'error'; readonly code: ErrorCode; readonly retryAfterSeconds?: number }
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'truncate' };

export type FaultTrigger =
  | { readonly kind: 'always' }
  /** The rule's matching calls number from..to (1-based, inclusive) fail; the others pass. */
  | { readonly kind: 'calls'; readonly from: number; readonly to: number }
  | { readonly kind: 'rate'; readonly rate: number; readonly seed: number }
  /** Epoch milliseconds, inclusive from, exclusive until. */
  | { readonly kind: 'span'; readonly from: number; readonly until: number };

export interface FaultRule {
  readonly id: string;
  readonly tenantId: string;
  /** Empty or absent: every value matches. */
  readonly operations?: readonly string[];
  readonly applications?: readonly string[];
  readonly methods?: readonly string[];
  /** Machine keys as they appear in the path (id, aadDeviceId or name), compared without case. */
  readonly machines?: readonly string[];
  readonly action: FaultAction;
  readonly trigger: FaultTrigger;
  /** Switched off: kept, never fires. */
  readonly enabled: boolean;
}

/** One call, as the fault rules see it. */
export interface FaultCall {
  readonly tenantId: string;
  readonly operation: string;
  readonly appId: string;
  readonly method: string;
  readonly machineKey: string | undefined;
}

export interface FaultDecision {
  readonly ruleId: string;
  readonly action: FaultAction;
}

interface RuleState {
  calls: number;
  random: () => number;
}

/**
 * Decides, for each call, whether a fault rule fires. The first matching rule whose trigger
 * fires wins. Counters live per rule and restart when the rules of a tenant are set again.
 */
export class FaultInjector {
  private readonly rules = new Map<string, readonly FaultRule[]>();
  private readonly state = new Map<string, RuleState>();

  /** A rule kept as it was keeps its counters; a new or changed rule starts counting afresh. */
  setRules(tenantId: string, rules: readonly FaultRule[]): void {
    const kept = new Set(rules);
    for (const old of this.rules.get(tenantId) ?? []) if (!kept.has(old)) this.state.delete(old.id);
    if (rules.length === 0) this.rules.delete(tenantId);
    else this.rules.set(tenantId, rules);
  }

  rulesOf(tenantId: string): readonly FaultRule[] {
    return this.rules.get(tenantId) ?? [];
  }

  /** Undefined on the fast path: no rules for the tenant, or none fires. */
  decide(call: FaultCall, nowMs: number): FaultDecision | undefined {
    const rules = this.rules.get(call.tenantId);
    if (!rules) return undefined;
    for (const rule of rules) {
      if (!rule.enabled || !matches(rule, call)) continue;
      if (fires(rule.trigger, this.stateOf(rule), nowMs)) return { ruleId: rule.id, action: rule.action };
    }
    return undefined;
  }

  private stateOf(rule: FaultRule): RuleState {
    let state = this.state.get(rule.id);
    if (!state) {
      state = { calls: 0, random: seeded(rule.trigger.kind === 'rate' ? rule.trigger.seed : 0) };
      this.state.set(rule.id, state);
    }
    return state;
  }
}

const within = (list: readonly string[] | undefined, value: string | undefined): boolean =>
  !list || list.length === 0 || (value !== undefined && list.some((v) => v.toLowerCase() === value.toLowerCase()));

function matches(rule: FaultRule, call: FaultCall): boolean {
  return (
    within(rule.operations, call.operation) &&
    within(rule.applications, call.appId) &&
    within(rule.methods, call.method) &&
    within(rule.machines, call.machineKey)
  );
}

function fires(trigger: FaultTrigger, state: RuleState, nowMs: number): boolean {
  state.calls++;
  switch (trigger.kind) {
    case 'always':
      return true;
    case 'calls':
      return state.calls >= trigger.from && state.calls <= trigger.to;
    case 'rate':
      return state.random() < trigger.rate;
    case 'span':
      return nowMs >= trigger.from && nowMs < trigger.until;
  }
}

/** mulberry32: small, fast and repeatable for a given seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
