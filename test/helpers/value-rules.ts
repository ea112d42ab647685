import { parseFilter } from '../../src/api/odata/bind-filter.js';
import type { DeviceValue } from '../../src/domain/machines/device-value.js';
import type { Machine } from '../../src/domain/machines/machine.js';
import type { MachineStore } from '../../src/domain/ports.js';
import { matches } from './evaluate-query.js';

export interface RuleText {
  readonly name: string;
  readonly filter: string;
  readonly deviceValue: DeviceValue;
}

/**
 * What a rule set must change, worked out in memory from the spec (first matching rule decides)
 * with the tests' own filter evaluator, not the store's SQL: per rule, the ids (sorted) of the
 * visible devices it decides whose value differs from the rule's.
 */
export function expectedChanges(fleet: readonly Machine[], rules: readonly RuleText[], visibleSince: string): string[][] {
  const filters = rules.map((r) => parseFilter(r.filter));
  const changes: string[][] = rules.map(() => []);
  for (const m of fleet) {
    if (m.lastSeen < visibleSince) continue;
    const index = filters.findIndex((f) => matches(m, f));
    const rule = rules[index];
    if (rule && m.deviceValue !== rule.deviceValue) changes[index]?.push(m.id);
  }
  return changes.map((ids) => ids.sort());
}

/** Every machine of a tenant, retention ignored, in id order. */
export async function wholeFleet(store: MachineStore, tenantId: string): Promise<Machine[]> {
  const all: Machine[] = [];
  for await (const batch of store.allMachines(tenantId)) all.push(...batch);
  return all;
}
