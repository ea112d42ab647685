import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * On PostgreSQL, lets the console's facet filters and their capped counts ("Devices 1–50 of
 * 10,000+ matching") read indexes alone. Every such query also checks the caller's scope
 * (retention: last_seen; device groups: rbac_group_id), and the facet indexes held only the facet
 * and the id, so each match's row was read for the check, or the planner scanned the table
 * instead: `health = Inactive` on a million machines took 250 ms, a device group with
 * `health = Inactive` 250-330 ms. These indexes now carry the scope's columns (and, for the two
 * facets most often combined, each other's) as INCLUDE columns, which are not part of the key, so
 * the order and every plan using the key stay as they were. SQLite's rows are read through the
 * same lookups at a fraction of the cost, and SQLite has no INCLUDE: nothing changes there.
 */
const COVERING: Record<string, { readonly key: string; readonly include: string }> = {
  machines_by_health: { key: 'tenant_id, health_status, id', include: 'last_seen, rbac_group_id, os_platform' },
  machines_by_platform: { key: 'tenant_id, os_platform, id', include: 'last_seen, rbac_group_id, health_status' },
  // Membership by id (a tag's machines, `id in (...)`): the retention and group checks of each.
  machines_by_id_seen: { key: 'tenant_id, id, last_seen', include: 'rbac_group_id' },
};

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const [name, { key, include }] of Object.entries(COVERING)) {
    await sql.raw(`DROP INDEX IF EXISTS ${name}`).execute(db);
    await sql.raw(`CREATE INDEX ${name} ON machines (${key}) INCLUDE (${include})`).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const [name, { key }] of Object.entries(COVERING)) {
    await sql.raw(`DROP INDEX IF EXISTS ${name}`).execute(db);
    await sql.raw(`CREATE INDEX ${name} ON machines (${key})`).execute(db);
  }
}
