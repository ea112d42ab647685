import type { FaultSpec } from '../../src/domain/traffic/fault-spec.js';
import type { FaultRuleAdmin } from '../../src/console/fault-switchboard.js';

/** An in-memory FaultRuleAdmin over these rules; `specs` shows what the switches did to them. */
export function fakeFaultAdmin(initial: readonly FaultSpec[]): FaultRuleAdmin & { specs: FaultSpec[]; used: Map<string, number> } {
  const specs = [...initial];
  const used = new Map<string, number>();
  return {
    specs,
    used,
    faultCallsUsed: (_tenant, key) => used.get(key) ?? 0,
    faultRules: () => [...specs],
    setFaultEnabled: async (_tenant, id, enabled) => {
      const i = specs.findIndex((s) => s.id === id);
      if (i >= 0) specs[i] = { ...specs[i], enabled };
      return i >= 0;
    },
  };
}
