import type { Kysely } from 'kysely';
import type { AuditPosition } from '../domain/audit/audit-cursor.js';
import type { AuditFilter } from '../domain/audit/audit-query.js';
import type { Database } from './schema.js';

/**
 * The fleet audit's page: a tenant's value-history entries, newest first by (changed_at, seq),
 * after the keyset position. Every filter is a column of an index of migration 0012 that ends in
 * (changed_at, seq), so the database walks one index in the page's order and stops after
 * `limit` rows, whatever the filters; the machine's name comes from its primary key.
 */
export function auditPageQuery(db: Kysely<Database>, tenantId: string, filter: AuditFilter, after: AuditPosition | undefined, limit: number) {
  return db
    .selectFrom('value_history as h')
    .leftJoin('machines as m', (join) => join.onRef('m.tenant_id', '=', 'h.tenant_id').onRef('m.id', '=', 'h.machine_id'))
    .selectAll('h')
    .select('m.computer_dns_name')
    .where('h.tenant_id', '=', tenantId)
    .$if(filter.from !== undefined, (q) => q.where('h.changed_at', '>=', filter.from as string))
    .$if(filter.to !== undefined, (q) => q.where('h.changed_at', '<', filter.to as string))
    .$if(filter.userId !== undefined, (q) => q.where('h.user_id', '=', filter.userId as string))
    .$if(filter.appIds !== undefined, (q) => q.where('h.app_id', 'in', [...(filter.appIds as string[])]))
    .$if(filter.machineId !== undefined, (q) => q.where('h.machine_id', '=', filter.machineId as string))
    .$if(filter.oldValue !== undefined, (q) => q.where('h.old_value', '=', filter.oldValue as string))
    .$if(filter.newValue !== undefined, (q) => q.where('h.new_value', '=', filter.newValue as string))
    .$if(filter.route !== undefined, (q) => q.where('h.route', '=', filter.route as string))
    .$if(after !== undefined, (q) => q.where((eb) => eb(eb.refTuple('h.changed_at', 'h.seq'), '<', eb.tuple((after as AuditPosition).at as string, (after as AuditPosition).seq))))
    .orderBy('h.changed_at', 'desc')
    .orderBy('h.seq', 'desc')
    .limit(limit);
}
