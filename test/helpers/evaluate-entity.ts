import type { EntityFilter, OrderKey } from '../../src/domain/query-filter.js';
import type { StandardNode } from '../../src/store/filter-sql.js';

/**
 * An in-memory reading of an EntityFilter, written from the OData rules rather than from the SQL
 * compiler (two-valued logic, code point order), for any entity: `valueOf` gives a property's
 * value in its stored form (lower case for the case-insensitive ones).
 */
type Value = string | number | boolean | null;

/** Code point order, which is how UTF-8 bytes (SQLite's BINARY collation) sort; false before true. */
export function compareValues(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = [...String(a)].map((c) => c.codePointAt(0) as number);
  const y = [...String(b)].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

/**
 * One node of a filter every entity has; an entity's own nodes (machines' `any()`) are the
 * caller's, through `recurse`.
 */
export function matchesNode<P, F>(valueOf: (property: P) => Value, f: StandardNode<P, F>, recurse: (child: F) => boolean): boolean {
  switch (f.kind) {
    case 'and':
      return recurse(f.left) && recurse(f.right);
    case 'or':
      return recurse(f.left) || recurse(f.right);
    case 'not':
      return !recurse(f.operand);
    case 'compare': {
      const value = valueOf(f.property);
      if (f.value === null) return f.op === 'eq' ? value === null : value !== null;
      if (value === null) return f.op === 'ne';
      const c = compareValues(value, f.value);
      return { eq: c === 0, ne: c !== 0, gt: c > 0, ge: c >= 0, lt: c < 0, le: c <= 0 }[f.op];
    }
    case 'in': {
      const value = valueOf(f.property);
      return value !== null && f.values.some((v) => compareValues(value, v) === 0);
    }
    case 'startsWith': {
      const value = valueOf(f.property);
      return typeof value === 'string' && value.startsWith(f.prefix);
    }
  }
}

export function matchesEntity<P>(valueOf: (property: P) => Value, f: EntityFilter<P>): boolean {
  return matchesNode(valueOf, f, (child) => matchesEntity(valueOf, child));
}

/** Sorts by the keys, then by `tieBreak` in the direction of the last key. */
export function sortEntities<T, P>(items: readonly T[], keys: readonly OrderKey<P>[], valueOf: (item: T, property: P) => Value, tieBreak: (item: T) => string): T[] {
  const lastDescending = keys[keys.length - 1]?.descending ?? false;
  return [...items].sort((a, b) => {
    for (const { property, descending } of keys) {
      const x = valueOf(a, property);
      const y = valueOf(b, property);
      const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : compareValues(x, y);
      if (c !== 0) return descending ? -c : c;
    }
    const c = compareValues(tieBreak(a), tieBreak(b));
    return lastDescending ? -c : c;
  });
}

/** Prints a filter as OData text: keywords in the given case, GUID-looking strings quoted or bare. */
export function printEntityFilter<P extends string>(f: EntityFilter<P>, style: { upper: boolean; bareGuids: boolean; isTimestamp: (p: P) => boolean }): string {
  const kw = (word: string) => (style.upper ? word.toUpperCase() : word);
  const literal = (p: P, v: string | number | boolean | null): string => {
    if (v === null) return 'null';
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (style.isTimestamp(p)) return v; // unquoted DateTimeOffset, as OData writes it
    if (style.bareGuids && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v)) return v;
    return `'${v.replaceAll("'", "''")}'`;
  };
  switch (f.kind) {
    case 'and':
    case 'or':
      return `(${printEntityFilter(f.left, style)} ${kw(f.kind)} ${printEntityFilter(f.right, style)})`;
    case 'not':
      return `${kw('not')} (${printEntityFilter(f.operand, style)})`;
    case 'compare':
      return `${f.property} ${kw(f.op)} ${literal(f.property, f.value)}`;
    case 'in':
      return `${f.property} ${kw('in')} (${f.values.map((v) => literal(f.property, v)).join(', ')})`;
    case 'startsWith':
      return `startswith(${f.property},'${f.prefix.replaceAll("'", "''")}')`;
  }
}
