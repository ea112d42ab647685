import type { ErrorCode } from '../errors.js';
import type { Steer } from '../actions/action-lifecycle.js';

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
  | { readonly kind: 'truncate' }
  /** Not a fault of the call: the machine action it creates ends Failed, TimeOut, or stays Pending. */
  | { readonly kind: 'outcome'; readonly steer: Steer };

export type FaultTrigger =
  | { readonly kind: 'always' }
  /** The rule's matching calls number from..to (1-based, inclusive) fail; the others pass. */
  | { readonly kind: 'calls'; readonly from: number; readonly to: number }
  | { readonly kind: 'rate'; readonly rate: number; readonly seed: number }
  /** Epoch milliseconds, inclusive from, exclusive until. */
  | { readonly kind: 'span'; readonly from: number; readonly until: number };

export interface FaultRule {
  readonly id: string;
  /** Names this exact rule (id and content): its call counter's key. */
  readonly key: string;
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
  /** Other names of the same device (its id, aadDeviceId, computer name), where the call resolved it. */
  readonly machineAliases?: readonly string[];
}

export interface FaultDecision {
  readonly ruleId: string;
  readonly action: FaultAction;
}

/**
 * How many matching calls each rule has seen: in memory for one instance, in the database when
 * several instances must count one rule's calls together ("fail calls 1-3" means three in all).
 * A rule is counted under a key naming its exact content, so an edited rule starts afresh.
 */
export interface FaultCounters {
  /** Counts one more matching call of the rule and returns its number, from 1. */
  next(tenantId: string, ruleKey: string): number | Promise<number>;
  /** Drops the counters of the tenant's rules other than these. */
  forget(tenantId: string, keep: readonly string[]): void | Promise<void>;
  /** How many matching calls the rule has counted so far (0 for none), without counting one. */
  used(tenantId: string, ruleKey: string): number | Promise<number>;
}

/**
 * A rule that can never fire again: its calls are used up ("calls 1-3" after the third), or its
 * time span has ended. Switched on, it still does nothing, and the console says so.
 */
export function faultSpent(trigger: FaultTrigger, callsUsed: number, nowMs: number): boolean {
  if (trigger.kind === 'calls') return callsUsed >= trigger.to;
  if (trigger.kind === 'span') return nowMs >= trigger.until;
  return false;
}

export class MemoryFaultCounters implements FaultCounters {
  private readonly calls = new Map<string, number>();

  next(tenantId: string, ruleKey: string): number {
    const key = `${tenantId}/${ruleKey}`;
    const n = (this.calls.get(key) ?? 0) + 1;
    this.calls.set(key, n);
    return n;
  }

  used(tenantId: string, ruleKey: string): number {
    return this.calls.get(`${tenantId}/${ruleKey}`) ?? 0;
  }

  forget(tenantId: string, keep: readonly string[]): void {
    const kept = new Set(keep.map((k) => `${tenantId}/${k}`));
    for (const key of [...this.calls.keys()]) if (key.startsWith(`${tenantId}/`) && !kept.has(key)) this.calls.delete(key);
  }
}

/**
 * Decides, for each call, whether a fault rule fires. The first matching rule whose trigger
 * fires wins. Only count and rate triggers need a rule's call number, so only they touch the
 * counters; a tenant without rules costs one map lookup.
 */
export class FaultInjector {
  private readonly rules = new Map<string, readonly FaultRule[]>();

  constructor(readonly counters: FaultCounters = new MemoryFaultCounters()) {}

  setRules(tenantId: string, rules: readonly FaultRule[]): void {
    if (rules.length === 0) this.rules.delete(tenantId);
    else this.rules.set(tenantId, rules);
  }

  rulesOf(tenantId: string): readonly FaultRule[] {
    return this.rules.get(tenantId) ?? [];
  }

  /**
   * Undefined when no rule fires. A tenant without rules (every call of most runs) is answered
   * at once, without a promise: this runs on every Machine API call.
   */
  decide(call: FaultCall, nowMs: number): Promise<FaultDecision | undefined> | undefined {
    const rules = this.rules.get(call.tenantId);
    return rules ? this.firstFiring(rules, call, nowMs, false) : undefined;
  }

  /**
   * The outcome a machine action created by this call must have, if an outcome rule fires.
   * Outcome rules are asked only here, when an action is created, so they count only those calls.
   */
  async decideOutcome(call: FaultCall, nowMs: number): Promise<FaultDecision | undefined> {
    const rules = this.rules.get(call.tenantId);
    return rules ? this.firstFiring(rules, call, nowMs, true) : undefined;
  }

  private async firstFiring(rules: readonly FaultRule[], call: FaultCall, nowMs: number, outcomes: boolean): Promise<FaultDecision | undefined> {
    for (const rule of rules) {
      if (!rule.enabled || (rule.action.kind === 'outcome') !== outcomes || !matches(rule, call)) continue;
      if (await this.fires(rule, nowMs)) return { ruleId: rule.id, action: rule.action };
    }
    return undefined;
  }

  private async fires(rule: FaultRule, nowMs: number): Promise<boolean> {
    const trigger = rule.trigger;
    switch (trigger.kind) {
      case 'always':
        return true;
      case 'span':
        return nowMs >= trigger.from && nowMs < trigger.until;
      case 'calls': {
        const n = await this.counters.next(rule.tenantId, rule.key);
        return n >= trigger.from && n <= trigger.to;
      }
      case 'rate':
        return randomAt(trigger.seed, await this.counters.next(rule.tenantId, rule.key)) < trigger.rate;
    }
  }
}

const within = (list: readonly string[] | undefined, value: string | undefined): boolean =>
  !list || list.length === 0 || (value !== undefined && list.some((v) => v.toLowerCase() === value.toLowerCase()));

function matches(rule: FaultRule, call: FaultCall): boolean {
  return (
    within(rule.operations, call.operation) &&
    within(rule.applications, call.appId) &&
    within(rule.methods, call.method) &&
    (within(rule.machines, call.machineKey) || (call.machineAliases ?? []).some((alias) => within(rule.machines, alias)))
  );
}

/**
 * The n-th number (from 1) of the mulberry32 sequence for a seed: small, fast and repeatable.
 * Its state only ever adds a constant, so the n-th state is seed + n * constant and any call's
 * number can be drawn directly, whichever instance counted the calls before it.
 */
export function randomAt(seed: number, n: number): number {
  const a = ((seed >>> 0) + Math.imul(n, 0x6d2b79f5)) | 0;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
