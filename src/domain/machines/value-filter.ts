import { DEVICE_VALUES, type DeviceValue } from './device-value.js';
import type { MachineFilter } from './machine-query.js';

/*
 * What a filter says about device values, read from its structure. Every visible machine is in
 * exactly one per-value count (StoreCounts.countByDeviceValue), so a filter that tests device
 * values and nothing else matches the sum of the counts of the values it allows: the console's
 * totals and the stores' counts use that instead of reading the matches.
 */

/** The tests every match of a filter must pass: the leaves of its top-level `and`s (the filter itself when it is not one). */
export function conjuncts(filter: MachineFilter): MachineFilter[] {
  return filter.kind === 'and' ? [...conjuncts(filter.left), ...conjuncts(filter.right)] : [filter];
}

/** The values a filter node allows when it tests the device value alone (`eq` a value, `in`); undefined for any other node. */
export function valuesTested(node: MachineFilter): readonly string[] | undefined {
  if (node.kind === 'in' && node.property === 'deviceValue') return node.values.map(String);
  if (node.kind === 'compare' && node.property === 'deviceValue' && node.op === 'eq' && node.value !== null) return [String(node.value)];
  return undefined;
}

/** The device values a filter allows when it tests nothing else (no filter: every value); undefined when it tests anything else. */
export function valuesAllowed(filter: MachineFilter | null): DeviceValue[] | undefined {
  let allowed: DeviceValue[] = [...DEVICE_VALUES];
  for (const test of filter === null ? [] : conjuncts(filter)) {
    const values = valuesTested(test);
    if (!values) return undefined;
    allowed = allowed.filter((v) => values.includes(v));
  }
  return allowed;
}

/** Visible machines with one of these values, from the per-value counts. */
export const countOfValues = (values: readonly DeviceValue[], counts: Readonly<Record<DeviceValue, number>>): number => values.reduce((sum, v) => sum + counts[v], 0);
