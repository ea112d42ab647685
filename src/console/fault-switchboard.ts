import { faultRuleFromSpec, type FaultSpec } from '../domain/traffic/fault-spec.js';
import type { Clock } from '../shared/clock.js';
import type { FaultSwitchboard, SwitchableFault } from './console-deps.js';

/** The fault-rule operations the console's on/off panel needs (TrafficControl has them). */
export interface FaultRuleAdmin {
  faultRules(tenantId: string): FaultSpec[];
  setFaultEnabled(tenantId: string, ruleId: string, enabled: boolean): Promise<boolean>;
}

/** On/off over the stored rules: a switched-off rule keeps its definition, in the store. */
export function faultSwitchboard(admin: FaultRuleAdmin, clock: Clock): FaultSwitchboard {
  return {
    list(tenantId): SwitchableFault[] {
      return admin
        .faultRules(tenantId)
        .map((spec) => ({ rule: faultRuleFromSpec(spec, tenantId, clock.now()), enabled: spec.enabled !== false }))
        .sort((a, b) => a.rule.id.localeCompare(b.rule.id));
    },
    setEnabled: (tenantId, ruleId, enabled) => admin.setFaultEnabled(tenantId, ruleId, enabled),
  };
}
