import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { ComparisonOperator, Comparison, EntityFilter, InList, Junction, Negation, StartsWith } from '../domain/query-filter.js';

type Value = string | number | null;

/** Where each property of an entity lives in SQL, and whether it may be null. */
export interface FilterColumns<P> {
  column(property: P): Expression<Value>;
  nullable(property: P): boolean;
}

const SQL_OPERATORS = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const satisfies Record<ComparisonOperator, string>;

/** The nodes every filter has; an entity's own (machines' `any()`) are compiled by its caller through `recurse`. */
export type StandardNode<P, F> = Comparison<P> | InList<P> | StartsWith<P> | Junction<F> | Negation<F>;

/**
 * One filter node -> a Kysely boolean expression, every value a bound parameter. OData logic is
 * two-valued (a comparison with null is false, so `not` of it is true) while SQL's is
 * three-valued, so every comparison on a nullable column is made to yield false, never NULL, on a
 * null value. Prefixes become index ranges rather than LIKE, which is case-insensitive and
 * dialect-dependent. Booleans are stored as 0/1 (schema.ts), which also keeps OData's false < true.
 */
export function compilePredicate<DB, TB extends keyof DB, P, F>(
  eb: ExpressionBuilder<DB, TB>,
  node: StandardNode<P, F>,
  columns: FilterColumns<P>,
  recurse: (child: F) => Expression<SqlBool>,
): Expression<SqlBool> {
  const notNull = (property: P, test: Expression<SqlBool>): Expression<SqlBool> =>
    columns.nullable(property) ? eb.and([eb(columns.column(property), 'is not', null), test]) : test;
  switch (node.kind) {
    case 'and':
      return eb.and([recurse(node.left), recurse(node.right)]);
    case 'or':
      return eb.or([recurse(node.left), recurse(node.right)]);
    case 'not':
      return eb.not(recurse(node.operand));
    case 'compare': {
      const column = columns.column(node.property);
      if (node.value === null) return eb(column, node.op === 'eq' ? 'is' : 'is not', null);
      const test = eb(column, SQL_OPERATORS[node.op], stored(node.value));
      if (!columns.nullable(node.property)) return test;
      // A null column: `ne` is true, every other comparison false (never NULL).
      return node.op === 'ne' ? eb.or([eb(column, 'is', null), test]) : eb.and([eb(column, 'is not', null), test]);
    }
    case 'in':
      return notNull(node.property, eb(columns.column(node.property), 'in', node.values.map(stored)));
    case 'startsWith': {
      const column = columns.column(node.property);
      const upper = prefixUpperBound(node.prefix);
      const from = eb(column, '>=', node.prefix);
      return notNull(node.property, upper === null ? from : eb.and([from, eb(column, '<', upper)]));
    }
  }
}

/** A whole EntityFilter (no entity-specific nodes) -> SQL. */
export function compileEntityFilter<DB, TB extends keyof DB, P>(eb: ExpressionBuilder<DB, TB>, filter: EntityFilter<P>, columns: FilterColumns<P>): Expression<SqlBool> {
  const compile = (node: EntityFilter<P>): Expression<SqlBool> => compilePredicate(eb, node, columns, compile);
  return compile(filter);
}

const stored = (value: string | number | boolean): string | number => (typeof value === 'boolean' ? Number(value) : value);

/**
 * The least string greater than every string starting with `prefix`, in code point order (which
 * is UTF-8 byte order, SQLite's BINARY collation): the last character plus one. Null when every
 * string qualifies (empty prefix) or no such string exists.
 */
export function prefixUpperBound(prefix: string): string | null {
  const chars = [...prefix];
  while (chars.length > 0) {
    const last = (chars.pop() as string).codePointAt(0) as number;
    if (last < 0x10ffff) return chars.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return null;
}
