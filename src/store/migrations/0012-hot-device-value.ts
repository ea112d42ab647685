import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * PostgreSQL at scale (issue 15): a device-value change becomes a HOT update there.
 *
 * PostgreSQL writes a new version of the whole row for every UPDATE. When no indexed column
 * changes and the row's page has room, the new version is a heap-only tuple (HOT): no index is
 * touched. Otherwise every one of the table's indexes (15 on `machines`) gets a new entry, and
 * the entries for the old versions stay until vacuum, so hot rows bloat every index. Only two
 * indexes hold `device_value`; without them the value column is unindexed and setDeviceValue
 * rewrites one heap tuple in place of 15 index entries (docs/adr/0013-postgresql-hot-values.md).
 *
 * - `machines_by_value` (tenant, value, id): a value filter is a small part of any fleet (three
 *   values), so it reads the order's own index and checks the value on each row, or the
 *   health/platform/group index when the filter also names those.
 * - `machines_value_counts` (tenant, value, last_seen, group): the console's per-value counts
 *   come from `machine_counts` (migration 0008) for every day but the retention cutoff's, whose
 *   machines are now read through `machines_last_seen` (tenant, last_seen).
 *
 * A fillfactor leaves room on each page for the next version of its rows (new pages only: an
 * existing table's full pages make room as their old versions are pruned). SQLite rewrites the
 * row in place and keeps both indexes: nothing changes there.
 */
const VALUE_INDEXES: Record<string, readonly string[]> = {
  machines_by_value: ['tenant_id', 'device_value', 'id'],
  machines_value_counts: ['tenant_id', 'device_value', 'last_seen', 'rbac_group_id'],
};
const FILLFACTOR = 80;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const name of Object.keys(VALUE_INDEXES)) await db.schema.dropIndex(name).ifExists().execute();
  await sql.raw(`ALTER TABLE machines SET (fillfactor = ${FILLFACTOR})`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql.raw('ALTER TABLE machines RESET (fillfactor)').execute(db);
  for (const [name, columns] of Object.entries(VALUE_INDEXES)) {
    await db.schema.createIndex(name).ifNotExists().on('machines').columns([...columns]).execute();
  }
}
