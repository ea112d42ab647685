import type { ValueRule, ValueRuleSpec } from './value-rule.js';

/**
 * One apply of a tenant's rules. Progress is `position` (the rule being applied) and `afterId`
 * (the last device of that rule's pass done, in id order); it is saved after every batch, so a
 * run stopped half-way is continued by the next apply of the same rules.
 */
export interface RuleRun {
  readonly id: string;
  readonly tenantId: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Who applied: the console user's principal name, or the admin key's door (`admin-api`, `cli`). */
  readonly actor: string;
  readonly rules: readonly ValueRuleSpec[];
  readonly position: number;
  readonly afterId: string;
  /** Devices changed so far, per rule (same order as `rules`). */
  readonly changed: readonly number[];
}

/** Where rules and runs are kept; the rules of what to change live in the service. */
export interface ValueRuleStore {
  listValueRules(tenantId: string): Promise<ValueRule[]>;
  /** Replaces the tenant's rules as a whole, atomically. */
  replaceValueRules(tenantId: string, rules: readonly ValueRule[]): Promise<void>;
  /** Stamps the rule at `position` (if it still has this name) as applied at `at`. */
  markValueRuleApplied(tenantId: string, position: number, name: string, at: string): Promise<void>;
  /** The tenant's newest run that has not finished, if any. */
  openRuleRun(tenantId: string): Promise<RuleRun | undefined>;
  getRuleRun(tenantId: string, id: string): Promise<RuleRun | undefined>;
  /** Inserts or updates a run (progress, finish). */
  putRuleRun(run: RuleRun): Promise<void>;
  /**
   * Of these machines, those with a value change after `since` that no rule made: set by hand
   * (API, console, CLI, import) since the rule was last applied.
   */
  changedByHandSince(tenantId: string, machineIds: readonly string[], since: string): Promise<Set<string>>;
}
