import { sql, type SelectQueryBuilder } from 'kysely';
import type { MachineScope } from '../domain/ports.js';
import type { Database } from './schema.js';

/**
 * Restricts a machines query to what the caller may see: the tenant, retention and device
 * groups, inside the SQL (so paging, counts and limits are right), for every dialect.
 */
export function inScope<O>(query: SelectQueryBuilder<Database, 'machines', O>, scope: MachineScope): SelectQueryBuilder<Database, 'machines', O> {
  const visible = query.where('machines.tenant_id', '=', scope.tenantId).where('machines.last_seen', '>=', scope.visibleSince);
  if (scope.rbacGroupIds === null) return visible;
  if (scope.rbacGroupIds.length === 0) return visible.where(sql<boolean>`1 = 0`);
  return visible.where('machines.rbac_group_id', 'in', [...scope.rbacGroupIds]);
}
