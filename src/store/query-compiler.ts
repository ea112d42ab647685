import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { AnyTag, MachineFilter, ResponseStateIs, ScalarProperty, TagFilter, TagProperty } from '../domain/machines/machine-query.js';
import { compilePredicate, type FilterColumns } from './filter-sql.js';
import { SCALAR_PROPERTIES } from '../domain/machines/machine-query.js';
import { conjuncts, valuesTested } from '../domain/machines/value-filter.js';
import type { Database } from './schema.js';

/**
 * MachineFilter -> a Kysely boolean expression with every value a bound parameter: the scalar
 * comparisons as every listing compiles them (filter-sql.ts), and `machineTags/any()` over the
 * tag table.
 */

/** Where each property lives (each in a column of its own). computerDnsName compares lower-cased, so it reads the lower-cased copy. */
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
  mergedIntoMachineId: 'merged_into_machine_id',
  isPotentialDuplication: 'is_potential_duplication',
  isExcluded: 'is_excluded',
  exclusionReason: 'exclusion_reason',
  firstSeen: 'first_seen',
  osVersion: 'os_version',
  osProcessor: 'os_processor',
  lastExternalIpAddress: 'last_external_ip_address',
  agentVersion: 'agent_version',
  osBuild: 'os_build',
  rbacGroupName: 'rbac_group_name',
  isAadJoined: 'is_aad_joined',
  defenderAvStatus: 'defender_av_status',
  osArchitecture: 'os_architecture',
  managedBy: 'managed_by',
  managedByStatus: 'managed_by_status',
} as const satisfies Record<ScalarProperty, keyof Database['machines']>;



/**
 * Where a value filter finds its machines: `column`, an index of `machines` holding device_value
 * (SQLite); `table`, the narrow machine_values table (PostgreSQL, migration 0017), which keeps
 * device_value out of every index of `machines` so a value change is a HOT update there.
 */
export type ValueIndex = 'column' | 'table';

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
  valueIndex: ValueIndex = 'column',
): Expression<SqlBool> {
  const columns: FilterColumns<ScalarProperty> = {
    column: (p) => eb.ref(`machines.${COLUMNS[p]}`),
    nullable: (p) => SCALAR_PROPERTIES[p].nullable,
  };
  const fromValueTable = valueIndex === 'table' ? requiredValues(filter) : new Map<MachineFilter, readonly string[]>();
  const compile = (node: MachineFilter): Expression<SqlBool> => {
    if (node.kind === 'responseState') return responseStateIs(eb, node, tenantId);
    if (node.kind !== 'anyTag') {
      const predicate = compilePredicate(eb, node, columns, compile);
      const values = fromValueTable.get(node);
      return values ? eb.and([predicate, holdingValue(eb, values, tenantId)]) : predicate;
    }
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
 * The value tests every match must pass (in a top-level `and`), with their values: only there is
 * `id IN (machines with that value)` an index path (under `or` or `not` it would first collect
 * every such machine), so only there it is added.
 */
function requiredValues(filter: MachineFilter): Map<MachineFilter, readonly string[]> {
  const found = new Map<MachineFilter, readonly string[]>();
  for (const test of conjuncts(filter)) {
    const values = valuesTested(test);
    if (values) found.set(test, values);
  }
  return found;
}

/**
 * `id IN (the tenant's machines with one of these values)`, read from machine_values' key
 * (tenant, value, id): in id order for one value (PostgreSQL reads `IN` of one value as `=`), so
 * a page in id order stops after its rows. The column test it goes with keeps the answer the
 * column's whatever the plan.
 */
function holdingValue(eb: ExpressionBuilder<Database, 'machines'>, values: readonly string[], tenantId: string): Expression<SqlBool> {
  const holders = eb.selectFrom('machine_values').select('machine_values.id').where('machine_values.tenant_id', '=', tenantId).where('machine_values.device_value', 'in', [...values]);
  return eb('machines.id', 'in', holders);
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
  const columns: FilterColumns<TagProperty> = { column: () => eb.ref('machine_tags.tag'), nullable: () => false };
  const compile = (node: TagFilter): Expression<SqlBool> => compilePredicate(eb, node, columns, compile);
  return compile(filter);
}
