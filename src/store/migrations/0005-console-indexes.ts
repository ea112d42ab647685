import type { Kysely } from 'kysely';

/**
 * The console's inventory on a million machines (issue 7): per-value counts read one covering
 * index instead of the table, and sorting by risk or exposure walks an index instead of
 * sorting every visible machine.
 */
const INDEXES: Record<string, readonly string[]> = {
  machines_value_counts: ['tenant_id', 'device_value', 'last_seen', 'rbac_group_id'],
  machines_by_risk: ['tenant_id', 'risk_score', 'id'],
  machines_by_exposure: ['tenant_id', 'exposure_level', 'id'],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, columns] of Object.entries(INDEXES)) {
    await db.schema.createIndex(name).ifNotExists().on('machines').columns([...columns]).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of Object.keys(INDEXES)) await db.schema.dropIndex(name).ifExists().execute();
}
