import type { FaultSpec } from '../domain/fault-spec.js';
import { faultRuleFromSpec } from '../domain/fault-spec.js';
import type { Clock } from '../shared/clock.js';
import type { FaultSwitchboard, SwitchableFault } from './console-deps.js';

/** The admin side's fault-rule operations the switchboard needs (TrafficControl has them). */
export interface FaultRuleAdmin {
  faultRules(tenantId: string): FaultSpec[];
  addFaultRule(tenantId: string, spec: FaultSpec): Promise<FaultSpec>;
  removeFaultRule(tenantId: string, ruleId: string): Promise<boolean>;
}

/**
 * On/off over a fault service that only knows active rules: switching a rule off takes it out of
 * the active set and parks its definition here; switching it on puts the same definition back.
 * Parked rules live in memory, so a restart forgets a rule that was off. A persisted `enabled`
 * flag on the rule itself would remove that limit (then this adapter is not needed).
 */
export function parkingSwitchboard(admin: FaultRuleAdmin, clock: Clock): FaultSwitchboard {
  const parked = new Map<string, Map<string, FaultSpec>>();
  const parkedOf = (tenantId: string): Map<string, FaultSpec> => {
    let specs = parked.get(tenantId);
    if (!specs) parked.set(tenantId, (specs = new Map()));
    return specs;
  };
  const toRule = (tenantId: string, spec: FaultSpec, enabled: boolean): SwitchableFault => ({ rule: faultRuleFromSpec(spec, tenantId, clock.now()), enabled });

  return {
    list(tenantId) {
      const active = admin.faultRules(tenantId).map((spec) => toRule(tenantId, spec, true));
      const off = [...parkedOf(tenantId).values()].map((spec) => toRule(tenantId, spec, false));
      return [...active, ...off].sort((a, b) => a.rule.id.localeCompare(b.rule.id));
    },
    async setEnabled(tenantId, ruleId, enabled) {
      const waiting = parkedOf(tenantId);
      if (enabled) {
        const spec = waiting.get(ruleId);
        if (!spec) return admin.faultRules(tenantId).some((s) => s.id === ruleId);
        await admin.addFaultRule(tenantId, spec);
        waiting.delete(ruleId);
        return true;
      }
      const spec = admin.faultRules(tenantId).find((s) => s.id === ruleId);
      if (!spec) return waiting.has(ruleId);
      waiting.set(ruleId, spec);
      return admin.removeFaultRule(tenantId, ruleId);
    },
  };
}
