import { faultRuleFromSpec, type FaultSpec } from '../domain/traffic/fault-spec.js';
import { faultSpent } from '../domain/traffic/faults.js';
import type { Clock } from '../shared/clock.js';
import type { FaultSwitchboard, SwitchableFault } from './console-deps.js';

/** The fault-rule operations the console's on/off panel needs (TrafficControl has them). */
export interface FaultRuleAdmin {
  faultRules(tenantId: string): FaultSpec[];
  setFaultEnabled(tenantId: string, ruleId: string, enabled: boolean): Promise<boolean>;
  /** The matching calls a rule (by its key) has counted so far. */
  faultCallsUsed(tenantId: string, ruleKey: string): number | Promise<number>;
}

/** On/off over the stored rules: a switched-off rule keeps its definition, in the store. */
export function faultSwitchboard(admin: FaultRuleAdmin, clock: Clock): FaultSwitchboard {
  return {
    async list(tenantId): Promise<SwitchableFault[]> {
      const now = clock.now();
      const rules = admin.faultRules(tenantId).map((spec) => ({ rule: faultRuleFromSpec(spec, tenantId, now), enabled: spec.enabled !== false }));
      // Only a count trigger's counter can use a rule up; the others need no read.
      const spent = await Promise.all(
        rules.map(async ({ rule }) => faultSpent(rule.trigger, rule.trigger.kind === 'calls' ? await admin.faultCallsUsed(tenantId, rule.key) : 0, now)),
      );
      return rules.map((r, i) => ({ ...r, spent: spent[i] ?? false })).sort((a, b) => a.rule.id.localeCompare(b.rule.id));
    },
    setEnabled: (tenantId, ruleId, enabled) => admin.setFaultEnabled(tenantId, ruleId, enabled),
  };
}
