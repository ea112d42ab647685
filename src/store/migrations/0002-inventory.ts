import type { Kysely } from 'kysely';
import { textType } from '../dialect.js';

/**
 * The inventory surface (issue 5): indexes for the OData filters people run on large fleets, and
 * the history of internal addresses findbyip searches.
 *
 * Each filter index ends with `id`, the listing's default order, so `$filter=x eq 'v'&$top=100`
 * reads the first hundred entries of one index range instead of sorting every match. The
 * `(tenant_id, id, last_seen)` index covers the retention check of the default order, so a deep
 * `$skip` steps over index entries without reading the rows it skips.
 */
const MACHINE_INDEXES: Record<string, readonly string[]> = {
  machines_by_value: ['tenant_id', 'device_value', 'id'],
  machines_by_health: ['tenant_id', 'health_status', 'id'],
  machines_by_platform: ['tenant_id', 'os_platform', 'id'],
  machines_by_group: ['tenant_id', 'rbac_group_id', 'id'],
  machines_by_last_ip: ['tenant_id', 'last_ip_address'],
  machines_by_id_seen: ['tenant_id', 'id', 'last_seen'],
  // Replaces 0001's (tenant_id, computer_dns_name_lc): also answers a name prefix with the page's
  // ids and the retention check from the index alone, before sorting them.
  machines_by_name: ['tenant_id', 'computer_dns_name_lc', 'last_seen', 'id'],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  const text = textType(db);
  await db.schema.dropIndex('machines_dns_name').ifExists().execute();
  for (const [name, columns] of Object.entries(MACHINE_INDEXES)) {
    await db.schema.createIndex(name).ifNotExists().on('machines').columns([...columns]).execute();
  }

  // Keyed by machine (seeds write it in that order) and indexed by address (findbyip reads it so).
  await db.schema
    .createTable('machine_ip_history')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('machine_id', text, (c) => c.notNull())
    .addColumn('ip_address', text, (c) => c.notNull())
    .addColumn('seen_from', text, (c) => c.notNull())
    .addColumn('seen_to', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('machine_ip_history_pk', ['tenant_id', 'machine_id', 'ip_address', 'seen_from'])
    .execute();
  await db.schema.createIndex('machine_ip_history_by_ip').on('machine_ip_history').columns(['tenant_id', 'ip_address', 'seen_from']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('machine_ip_history').execute();
  for (const name of Object.keys(MACHINE_INDEXES)) await db.schema.dropIndex(name).ifExists().execute();
  await db.schema.createIndex('machines_dns_name').on('machines').columns(['tenant_id', 'computer_dns_name_lc']).execute();
}
