import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { ComparisonOperator, EntityFilter } from '../domain/query-filter.js';
import { prefixUpperBound } from './query-compiler.js';

type Value = string | number | null;

/** Where each property of an entity lives in SQL, and whether it may be null. */
export interface FilterColumns<P> {
  column(property: P): Expression<Value>;
  nullable(property: P): boolean;
}

const SQL_OPERATORS = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const satisfies Record<ComparisonOperator, string>;

/**
 * An EntityFilter -> a Kysely boolean expression, every value a bound parameter, with OData's
 * two-valued logic on nullable columns (a comparison with null is false, never NULL), as the
 * machine filter compiler does (query-compiler.ts). Prefixes become index ranges, not LIKE.
 */
export function compileEntityFilter<DB, TB extends keyof DB, P>(eb: ExpressionBuilder<DB, TB>, filter: EntityFilter<P>, columns: FilterColumns<P>): Expression<SqlBool> {
  const notNull = (property: P, test: Expression<SqlBool>): Expression<SqlBool> =>
    columns.nullable(property) ? eb.and([eb(columns.column(property), 'is not', null), test]) : test;
  const compile = (node: EntityFilter<P>): Expression<SqlBool> => {
    switch (node.kind) {
      case 'and':
        return eb.and([compile(node.left), compile(node.right)]);
      case 'or':
        return eb.or([compile(node.left), compile(node.right)]);
      case 'not':
        return eb.not(compile(node.operand));
      case 'compare': {
        const column = columns.column(node.property);
        if (node.value === null) return eb(column, node.op === 'eq' ? 'is' : 'is not', null);
        const test = eb(column, SQL_OPERATORS[node.op], node.value);
        if (!columns.nullable(node.property)) return test;
        return node.op === 'ne' ? eb.or([eb(column, 'is', null), test]) : eb.and([eb(column, 'is not', null), test]);
      }
      case 'in':
        return notNull(node.property, eb(columns.column(node.property), 'in', [...node.values]));
      case 'startsWith': {
        const column = columns.column(node.property);
        const upper = prefixUpperBound(node.prefix);
        const from = eb(column, '>=', node.prefix);
        return notNull(node.property, upper === null ? from : eb.and([from, eb(column, '<', upper)]));
      }
    }
  };
  return compile(filter);
}
