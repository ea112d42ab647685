import type { Clock } from '../../shared/clock.js';
import type { Steer } from '../actions/action-lifecycle.js';
import { ApiError, type ErrorCode } from '../errors.js';
import { faultRuleFromSpec, faultRuleToSpec, type FaultSpec } from './fault-spec.js';
import type { FaultCall, FaultDecision, FaultInjector, FaultRule } from './faults.js';
import type { FaultRuleStore } from '../ports.js';
import type { Journal } from './journal.js';
import { capLimits, effectiveLimits, limitKey, type LimitOverride, type LimitSettings, type RateLimiter } from './limits.js';
import type { Principal } from '../identity/principal.js';
import { NO_TRAFFIC_OBSERVER, type TrafficObserver } from './traffic-observer.js';

/** Where the limits of a tenant and of one of its applications are written down. */
export type LimitLookup = (tenantId: string, appId: string) => Promise<{ tenant?: LimitOverride; app?: LimitOverride }>;

export interface TrafficParts {
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly journal: Journal;
  /** The limits every tenant gets unless its tenant file or application says otherwise. */
  readonly global: LimitOverride;
  readonly lookup: LimitLookup;
  readonly rules: FaultRuleStore;
  readonly clock: Clock;
  /** Tells the other instances that a tenant's fault rules changed (a no-op for one instance). */
  readonly announce?: (tenantId: string) => Promise<void>;
  /** Told of each rate-limit and fault decision (the server's metrics). */
  readonly observer?: TrafficObserver;
}

/**
 * What a tester controls about traffic (issue 4), in one place: rate limits, injected faults and
 * the request journal. The HTTP edge asks it about every authenticated Machine API call.
 */
export class TrafficControl {
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly journal: Journal;
  private readonly global: LimitOverride;
  private readonly lookup: LimitLookup;
  private readonly rules: FaultRuleStore;
  private readonly clock: Clock;
  private readonly announce: (tenantId: string) => Promise<void>;
  private readonly observer: TrafficObserver;

  constructor(parts: TrafficParts) {
    ({ limiter: this.limiter, faults: this.faults, journal: this.journal, global: this.global } = parts);
    ({ lookup: this.lookup, rules: this.rules, clock: this.clock } = parts);
    this.announce = parts.announce ?? (async () => {});
    this.observer = parts.observer ?? NO_TRAFFIC_OBSERVER;
  }

  /**
   * Counts the call against its tenant + application + operation budget; 429 when it is spent.
   * `cap` is the operation's own lower limit, if it has one.
   */
  async admit(principal: Principal, operation: string, cap?: Partial<LimitSettings>): Promise<void> {
    const { tenant, app } = await this.lookup(principal.tenantId, principal.appId);
    const general = effectiveLimits(this.global, tenant, app);
    if (!general) return;
    const limits = capLimits(general, cap);
    // A shared limiter that cannot answer (Redis or PostgreSQL down) makes the call 503, as an
    // overloaded real service would, never a 500 and never an uncounted call.
    const admission = await Promise.resolve(this.limiter.consume(limitKey(principal.tenantId, principal.appId, operation), limits)).catch(() => {
      this.observer.limit(operation, 'unavailable');
      throw errorFor('ServiceUnavailable', 1);
    });
    this.observer.limit(operation, admission.admitted ? 'admitted' : 'limited');
    if (!admission.admitted) throw errorFor('TooManyRequests', admission.retryAfterSeconds);
  }

  /** undefined (no promise at all) when the tenant has no rules: the common case costs nothing. */
  fault(call: FaultCall): Promise<FaultDecision | undefined> | undefined {
    const deciding = this.faults.decide(call, this.clock.now());
    return deciding?.then((decision) => {
      if (decision) this.observer.fault(call.operation, decision.action.kind);
      return decision;
    });
  }

  /** The outcome fault rules give the machine action this call creates, if any (issue 11). */
  async actionOutcome(call: FaultCall): Promise<Steer | null> {
    const decision = await this.faults.decideOutcome(call, this.clock.now());
    if (decision) this.observer.fault(call.operation, decision.action.kind);
    return decision?.action.kind === 'outcome' ? decision.action.steer : null;
  }

  async limitsOf(tenantId: string, appId: string) {
    const { tenant, app } = await this.lookup(tenantId, appId);
    return effectiveLimits(this.global, tenant, app);
  }

  // --- fault rules: stored, then loaded into the injector ---------------------------------

  /** Loads every tenant's stored rules (at start, and after a tenant document changed them). */
  async loadFaultRules(tenantIds?: readonly string[]): Promise<void> {
    for (const tenantId of tenantIds ?? (await this.rules.tenantsWithFaultRules())) {
      const specs = await this.rules.listFaultRules(tenantId);
      this.faults.setRules(tenantId, specs.map((spec) => faultRuleFromSpec(spec, tenantId, this.clock.now())));
    }
  }

  faultRules(tenantId: string): FaultSpec[] {
    return this.faults.rulesOf(tenantId).map(faultRuleToSpec);
  }

  /** How many matching calls a rule (by its key) has counted: the console shows a used-up rule as spent. */
  faultCallsUsed(tenantId: string, ruleKey: string): number | Promise<number> {
    return this.faults.counters.used(tenantId, ruleKey);
  }

  /** Validates the rule (fault-rule-schema.ts: the same check as a tenant file's) and adds or replaces it by id. */
  async addFaultRule(tenantId: string, data: unknown): Promise<FaultSpec> {
    // The schema (TypeBox) loads on the first rule added, not with every action service: a CLI
    // command builds those and never adds a rule.
    const { parseFaultRule } = await import('./fault-rule-schema.js');
    const rule = parseFaultRule(data, tenantId, this.clock.now());
    await this.replace(tenantId, [...this.faults.rulesOf(tenantId).filter((r) => r.id !== rule.id), rule]);
    return faultRuleToSpec(rule);
  }

  /** False when no rule has that id. */
  async removeFaultRule(tenantId: string, ruleId: string): Promise<boolean> {
    const before = this.faults.rulesOf(tenantId);
    const rules = before.filter((r) => r.id !== ruleId);
    if (rules.length === before.length) return false;
    await this.replace(tenantId, rules);
    return true;
  }

  /** Switches a rule off (kept, never fires) or on again; false when no rule has that id. */
  async setFaultEnabled(tenantId: string, ruleId: string, enabled: boolean): Promise<boolean> {
    const before = this.faults.rulesOf(tenantId);
    if (!before.some((r) => r.id === ruleId)) return false;
    // Re-read from the written form: the switched rule gets the key of its new content.
    const rules = before.map((r) => (r.id === ruleId && r.enabled !== enabled ? faultRuleFromSpec({ ...faultRuleToSpec(r), enabled }, tenantId, this.clock.now()) : r));
    await this.replace(tenantId, rules);
    return true;
  }

  async clearFaultRules(tenantId: string): Promise<void> {
    await this.replace(tenantId, []);
  }

  /**
   * Stores the tenant's new rule set, forgets the call counts of rules that are gone or changed
   * (an unchanged rule keeps counting), and tells the other instances to load the new set.
   */
  private async replace(tenantId: string, rules: readonly FaultRule[]): Promise<void> {
    await this.rules.replaceFaultRules(tenantId, rules.map(faultRuleToSpec));
    this.faults.setRules(tenantId, rules);
    await this.faults.counters.forget(tenantId, rules.map((r) => r.key));
    await this.announce(tenantId);
  }

  /** Limits, journal and fault rules of a tenant back to nothing (machines are the store's). */
  async reset(tenantId: string): Promise<void> {
    await this.limiter.reset(`${tenantId}/`);
    await this.journal.clear(tenantId);
    await this.clearFaultRules(tenantId);
  }
}

/**
 * The error a fault or a limit produces: the same code, message and headers as the real one, so
 * a client cannot tell an injected 429 from a real throttle.
 */
export function errorFor(code: ErrorCode, retryAfterSeconds?: number): ApiError {
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  return new ApiError(code, MESSAGES[code]?.(retryAfterSeconds ?? 0) ?? 'The request failed.', headers);
}

const MESSAGES: Partial<Record<ErrorCode, (seconds: number) => string>> = {
  TooManyRequests: (s) => `Rate limit is exceeded. Try again in ${s} seconds.`,
  InternalServerError: () => 'An unexpected error occurred. Use the target value to find it in the server log.',
  ServiceUnavailable: () => 'The service is temporarily unavailable. Try again later.',
  BadRequest: () => 'The request could not be understood.',
  Unauthorized: () => 'Authorization has been denied for this request.',
  Forbidden: () => 'The application does not have the required permissions to access the resource.',
  NotFound: () => 'The requested resource was not found.',
  ResourceNotFound: () => 'The requested resource was not found.',
};
