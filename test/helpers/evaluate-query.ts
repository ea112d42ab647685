import type { Machine } from '../../src/domain/machines/machine.js';
import type { MachineFilter, MachinePage, OrderKey, ScalarProperty, TagFilter } from '../../src/domain/machines/machine-query.js';
import type { MachineScope } from '../../src/domain/ports.js';

/**
 * An independent, in-memory reading of a MachineQuery, written from the spec rather than from the
 * SQL compiler: OData's two-valued logic (any comparison with null is false, `ne` is its exact
 * negation), strings in code point order, computerDnsName/id/aadDeviceId without case. The
 * differential tests check the store against it.
 */
type Value = string | number | null;

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

/** Code point order, which is how UTF-8 bytes (SQLite's BINARY collation) sort. */
export function compareValues(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = [...String(a)].map((c) => c.codePointAt(0) as number);
  const y = [...String(b)].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

function compare(value: Value, op: string, literal: Value): boolean {
  if (literal === null) return op === 'eq' ? value === null : value !== null;
  if (value === null) return op === 'ne';
  const c = compareValues(value, literal);
  return { eq: c === 0, ne: c !== 0, gt: c > 0, ge: c >= 0, lt: c < 0, le: c <= 0 }[op] ?? false;
}

function tagMatches(tag: string, f: TagFilter): boolean {
  switch (f.kind) {
    case 'and':
      return tagMatches(tag, f.left) && tagMatches(tag, f.right);
    case 'or':
      return tagMatches(tag, f.left) || tagMatches(tag, f.right);
    case 'not':
      return !tagMatches(tag, f.operand);
    case 'compare':
      return compare(tag, f.op, f.value);
    case 'in':
      return f.values.some((v) => v === tag);
    case 'startsWith':
      return tag.startsWith(f.prefix);
  }
}

export function matches(m: Machine, f: MachineFilter): boolean {
  switch (f.kind) {
    case 'and':
      return matches(m, f.left) && matches(m, f.right);
    case 'or':
      return matches(m, f.left) || matches(m, f.right);
    case 'not':
      return !matches(m, f.operand);
    case 'compare':
      return compare(valueOf(m, f.property), f.op, f.value);
    case 'in': {
      const v = valueOf(m, f.property);
      return v !== null && f.values.some((x) => compareValues(v, x) === 0);
    }
    case 'startsWith': {
      const v = valueOf(m, f.property);
      return typeof v === 'string' && v.startsWith(f.prefix);
    }
    case 'anyTag': {
      const predicate = f.predicate;
      return predicate === null ? m.machineTags.length > 0 : m.machineTags.some((t) => tagMatches(t, predicate));
    }
    case 'responseState':
      // Not a property of the Machine: the store reads it from the actions' effects.
      throw new Error('a response state cannot be evaluated from the machine alone');
  }
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
