import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type {
  AnyTag, Comparison, ComparisonOperator, InList, Junction, MachineFilter, Negation, ResponseStateIs, ScalarProperty, StartsWith, TagFilter, TagProperty,
} from '../domain/machines/machine-query.js';
import { SCALAR_PROPERTIES } from '../domain/machines/machine-query.js';
import type { Database } from './schema.js';

/**
 * MachineFilter -> a Kysely boolean expression with every value a bound parameter. OData logic is
 * two-valued (a comparison with null is false, so `not` of it is true) while SQL's is three-valued,
 * so every comparison on a nullable column is made to yield false, never NULL, on a null value.
 * Prefixes become index ranges rather than LIKE, which is case-insensitive and dialect-dependent.
 */

/** Where each property lives. computerDnsName compares lower-cased, so it reads the lower-cased copy. */
export const COLUMNS = {
  id: 'id',
  computerDnsName: 'computer_dns_name_lc',
  version: 'version',
  deviceValue: 'device_value',
  aadDeviceId: 'aad_device_id',
  lastSeen: 'last_seen',
  exposureLevel: 'exposure_level',
  onboardingStatus: 'onboarding_status',
  lastIpAddress: 'last_ip_address',
  healthStatus: 'health_status',
  osPlatform: 'os_platform',
  riskScore: 'risk_score',
  rbacGroupId: 'rbac_group_id',
} as const satisfies Record<ScalarProperty, keyof Database['machines']>;

const SQL_OPERATORS = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const satisfies Record<ComparisonOperator, string>;

type Value = string | number | null;
/** The parts of the expression builder the predicates need, for either table. */
interface Target {
  readonly eb: ExpressionBuilder<Database, 'machines'> | ExpressionBuilder<Database, 'machine_tags'>;
  column(property: string): Expression<Value>;
  nullable(property: string): boolean;
}

/**
 * `rareTags` are the any() nodes that few machines match: they become `id IN (tagged ids)`, read
 * from the tag index first. The others become a per-machine count of matching tags, which a scan
 * in id order stops early on (`IN` would first collect every tagged machine; EXISTS makes SQLite
 * build a Bloom filter over every tag of the tenant).
 */
export function compileFilter(
  eb: ExpressionBuilder<Database, 'machines'>,
  filter: MachineFilter,
  tenantId: string,
  rareTags: ReadonlySet<AnyTag> = new Set(),
): Expression<SqlBool> {
  const target: Target = {
    eb,
    column: (p) => eb.ref(`machines.${COLUMNS[p as ScalarProperty]}`) as Expression<Value>,
    nullable: (p) => SCALAR_PROPERTIES[p as ScalarProperty].nullable,
  };
  const compile = (node: MachineFilter): Expression<SqlBool> => {
    if (node.kind === 'responseState') return responseStateIs(eb, node, tenantId);
    if (node.kind !== 'anyTag') return predicate(target, node, compile as (n: unknown) => Expression<SqlBool>);
    const tags = eb.selectFrom('machine_tags').$if(node.predicate !== null, (q) => q.where((tb) => compileTag(tb, node.predicate as TagFilter)));
    if (rareTags.has(node)) return eb('machines.id', 'in', tags.select('machine_tags.machine_id').where('machine_tags.tenant_id', '=', tenantId));
    const matching = tags
      .select((tb) => tb.fn.countAll<number>().as('n'))
      .whereRef('machine_tags.tenant_id', '=', 'machines.tenant_id')
      .whereRef('machine_tags.machine_id', '=', 'machines.id');
    return eb(matching, '>', 0);
  };
  return compile(filter);
}

/**
 * `id IN (machines in that state)`, read from the state index (tenant, family, state, machine):
 * few devices are isolated, and the negation stays exact because machine_id is never null.
 */
function responseStateIs(eb: ExpressionBuilder<Database, 'machines'>, node: ResponseStateIs, tenantId: string): Expression<SqlBool> {
  const inState = eb
    .selectFrom('machine_response_states')
    .select('machine_response_states.machine_id')
    .where('machine_response_states.tenant_id', '=', tenantId)
    .where('machine_response_states.family', '=', node.family)
    .where('machine_response_states.state', '=', node.state);
  return eb('machines.id', 'in', inState);
}

/** Every any() of a filter, outside in. */
export function anyTagNodes(filter: MachineFilter | null): AnyTag[] {
  if (filter === null) return [];
  switch (filter.kind) {
    case 'anyTag':
      return [filter];
    case 'and':
    case 'or':
      return [...anyTagNodes(filter.left), ...anyTagNodes(filter.right)];
    case 'not':
      return anyTagNodes(filter.operand);
    default:
      return [];
  }
}

export function compileTag(eb: ExpressionBuilder<Database, 'machine_tags'>, filter: TagFilter): Expression<SqlBool> {
  const target: Target = { eb, column: () => eb.ref('machine_tags.tag'), nullable: () => false };
  const compile = (node: TagFilter): Expression<SqlBool> => predicate(target, node, compile as (n: unknown) => Expression<SqlBool>);
  return compile(filter);
}

type Predicate<P> = Comparison<P> | InList<P> | StartsWith<P> | Junction<unknown> | Negation<unknown>;

function predicate<P extends ScalarProperty | TagProperty>(t: Target, node: Predicate<P>, recurse: (n: unknown) => Expression<SqlBool>): Expression<SqlBool> {
  const eb = t.eb as ExpressionBuilder<Database, 'machines'>;
  switch (node.kind) {
    case 'and':
      return eb.and([recurse(node.left), recurse(node.right)]);
    case 'or':
      return eb.or([recurse(node.left), recurse(node.right)]);
    case 'not':
      return eb.not(recurse(node.operand));
    case 'compare': {
      const column = t.column(node.property);
      if (node.value === null) return eb(column, node.op === 'eq' ? 'is' : 'is not', null);
      const test = eb(column, SQL_OPERATORS[node.op], node.value);
      if (!t.nullable(node.property)) return test;
      // A null column: `ne` is true, every other comparison false (never NULL).
      return node.op === 'ne' ? eb.or([eb(column, 'is', null), test]) : eb.and([eb(column, 'is not', null), test]);
    }
    case 'in':
      return notNull(t, node.property, eb(t.column(node.property), 'in', [...node.values]));
    case 'startsWith': {
      const column = t.column(node.property);
      const upper = prefixUpperBound(node.prefix);
      const from = eb(column, '>=', node.prefix);
      return notNull(t, node.property, upper === null ? from : eb.and([from, eb(column, '<', upper)]));
    }
  }
}

function notNull(t: Target, property: string, test: Expression<SqlBool>): Expression<SqlBool> {
  const eb = t.eb as ExpressionBuilder<Database, 'machines'>;
  return t.nullable(property) ? eb.and([eb(t.column(property), 'is not', null), test]) : test;
}

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
