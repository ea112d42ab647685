import type { Machine } from '../../src/domain/machines/machine.js';
import type { MachineFilter, MachinePage, OrderKey, ScalarProperty, TagFilter } from '../../src/domain/machines/machine-query.js';
import type { MachineScope } from '../../src/domain/ports.js';
import { compareValues, matchesNode } from './evaluate-entity.js';

export { compareValues } from './evaluate-entity.js';

/**
 * An independent, in-memory reading of a MachineQuery, written from the spec rather than from the
 * SQL compiler: OData's two-valued logic (any comparison with null is false, `ne` is its exact
 * negation), strings in code point order, computerDnsName/id/aadDeviceId without case. The
 * differential tests check the store against it.
 */
type Value = string | number | boolean | null;

function valueOf(m: Machine, property: ScalarProperty): Value {
  switch (property) {
    case 'computerDnsName':
      return m.computerDnsName.toLowerCase();
    case 'id':
      return m.id.toLowerCase();
    case 'aadDeviceId':
      return m.aadDeviceId === null ? null : m.aadDeviceId.toLowerCase();
    default:
      return m[property];
  }
}

const tagMatches = (tag: string, f: TagFilter): boolean => matchesNode(() => tag, f, (child) => tagMatches(tag, child));

export function matches(m: Machine, f: MachineFilter): boolean {
  if (f.kind === 'responseState') {
    // Not a property of the Machine: the store reads it from the actions' effects.
    throw new Error('a response state cannot be evaluated from the machine alone');
  }
  if (f.kind !== 'anyTag') return matchesNode((p: ScalarProperty) => valueOf(m, p), f, (child) => matches(m, child));
  const predicate = f.predicate;
  return predicate === null ? m.machineTags.length > 0 : m.machineTags.some((t) => tagMatches(t, predicate));
}

/** Nulls first ascending and last descending, as SQLite orders them; id breaks ties. */
function byKeys(keys: readonly OrderKey[]) {
  return (a: Machine, b: Machine): number => {
    for (const { property, descending } of [...keys, { property: 'id' as const, descending: false }]) {
      const x = valueOf(a, property);
      const y = valueOf(b, property);
      const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : compareValues(x, y);
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  };
}

export function visible(m: Machine, scope: MachineScope): boolean {
  return m.lastSeen >= scope.visibleSince && (scope.rbacGroupIds === null || scope.rbacGroupIds.includes(m.rbacGroupId));
}

/** The page a store must answer for this fleet, scope and page request. */
export function evaluatePage(fleet: readonly Machine[], scope: MachineScope, page: MachinePage): Machine[] {
  const hits = fleet.filter((m) => visible(m, scope) && (page.filter === null || matches(m, page.filter)));
  return hits.sort(byKeys(page.orderBy)).slice(page.skip, page.skip + page.limit);
}

export function evaluateCount(fleet: readonly Machine[], scope: MachineScope, filter: MachineFilter | null): number {
  return fleet.filter((m) => visible(m, scope) && (filter === null || matches(m, filter))).length;
}
