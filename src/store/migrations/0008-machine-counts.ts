import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Machines per tenant, device group, device value and day last seen, kept by the database itself
 * (triggers), so the console's per-value counts are exact on a million machines without reading
 * them (issue 7): the days after the retention cutoff's day come from here, and only the machines
 * of the cutoff's own day are counted from an index. Every write path (updates, seed and import
 * upserts, resets, regrouping) goes through INSERT, UPDATE or DELETE on machines, so none can
 * forget a count. The table and its backfill use Kysely's schema builder; the triggers cannot,
 * and are written once per dialect.
 */
const COLUMNS = ['tenant_id', 'rbac_group_id', 'device_value', 'seen_day'] as const;
const CHANGED = (old: string, fresh: string, distinct: string) =>
  ['tenant_id', 'rbac_group_id', 'device_value'].map((c) => `${old}.${c} ${distinct} ${fresh}.${c}`).concat(`substr(${old}.last_seen, 1, 10) ${distinct} substr(${fresh}.last_seen, 1, 10)`).join(' OR ');

const add = (row: string, conflict: string) =>
  `INSERT INTO machine_counts (tenant_id, rbac_group_id, device_value, seen_day, n) VALUES (${row}.tenant_id, ${row}.rbac_group_id, ${row}.device_value, substr(${row}.last_seen, 1, 10), 1) ON CONFLICT (tenant_id, rbac_group_id, device_value, seen_day) DO UPDATE SET n = ${conflict}.n + 1;`;
const remove = (row: string) =>
  `UPDATE machine_counts SET n = n - 1 WHERE tenant_id = ${row}.tenant_id AND rbac_group_id = ${row}.rbac_group_id AND device_value = ${row}.device_value AND seen_day = substr(${row}.last_seen, 1, 10);`;

const SQLITE_TRIGGERS = [
  `CREATE TRIGGER machine_counts_insert AFTER INSERT ON machines BEGIN ${add('NEW', 'machine_counts')} END`,
  `CREATE TRIGGER machine_counts_delete AFTER DELETE ON machines BEGIN ${remove('OLD')} END`,
  `CREATE TRIGGER machine_counts_update AFTER UPDATE OF tenant_id, rbac_group_id, device_value, last_seen ON machines
     WHEN ${CHANGED('OLD', 'NEW', 'IS NOT')} BEGIN ${remove('OLD')} ${add('NEW', 'machine_counts')} END`,
];

/**
 * On PostgreSQL several writers run at once: updating one counter row per key would make every
 * value change of a tenant queue on the same few rows until commit, and two changes in opposite
 * directions (High->Low, Low->High) would deadlock. So there a change only appends -1 and +1 rows
 * (no key, no lock); readers sum them, and the leader folds them into one row per key from time
 * to time (compactMachineCounts in src/store/postgres/machine-counts.ts).
 */
const append = (row: string, n: number) =>
  `INSERT INTO machine_counts (tenant_id, rbac_group_id, device_value, seen_day, n) VALUES (${row}.tenant_id, ${row}.rbac_group_id, ${row}.device_value, substr(${row}.last_seen, 1, 10), ${n});`;
const POSTGRES_TRIGGERS = [
  `CREATE FUNCTION machine_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP <> 'INSERT' THEN ${append('OLD', -1)} END IF;
     IF TG_OP <> 'DELETE' THEN ${append('NEW', 1)} END IF;
     RETURN NULL;
   END $$`,
  'CREATE TRIGGER machine_counts_insert_delete AFTER INSERT OR DELETE ON machines FOR EACH ROW EXECUTE FUNCTION machine_counts_change()',
  `CREATE TRIGGER machine_counts_update AFTER UPDATE OF tenant_id, rbac_group_id, device_value, last_seen ON machines FOR EACH ROW
     WHEN (${CHANGED('OLD', 'NEW', 'IS DISTINCT FROM')}) EXECUTE FUNCTION machine_counts_change()`,
];

/**
 * Counts every machine into an empty machine_counts: the migration's backfill, and the end of a
 * bulk load (src/store/sqlite/bulk-load.ts, src/store/postgres/bulk-load.ts), which loads machines with the triggers set aside.
 */
export function machineCountsBackfill(db: Kysely<unknown>) {
  const typed = db as unknown as Kysely<{ machines: { tenant_id: string; rbac_group_id: number; device_value: string; last_seen: string }; machine_counts: Record<(typeof COLUMNS)[number] | 'n', unknown> }>;
  const day = sql<string>`substr(last_seen, 1, 10)`;
  return typed
    .insertInto('machine_counts')
    .columns([...COLUMNS, 'n'])
    .expression(
      typed
        .selectFrom('machines')
        .select((eb) => ['tenant_id', 'rbac_group_id', 'device_value', day.as('seen_day'), eb.fn.countAll().as('n')])
        .groupBy(['tenant_id', 'rbac_group_id', 'device_value', day]),
    );
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('machine_counts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('rbac_group_id', 'integer', (c) => c.notNull())
    .addColumn('device_value', 'text', (c) => c.notNull())
    .addColumn('seen_day', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .$call((t) => (isPostgres(db) ? t : t.addPrimaryKeyConstraint('machine_counts_pk', [...COLUMNS])))
    .execute();
  if (isPostgres(db)) await db.schema.createIndex('machine_counts_by_key').on('machine_counts').columns([...COLUMNS]).execute();
  await machineCountsBackfill(db).execute();
  for (const statement of isPostgres(db) ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const triggers = isPostgres(db) ? ['machine_counts_insert_delete', 'machine_counts_update'] : ['machine_counts_insert', 'machine_counts_delete', 'machine_counts_update'];
  for (const name of triggers) await sql.raw(`DROP TRIGGER IF EXISTS ${name}${isPostgres(db) ? ' ON machines' : ''}`).execute(db);
  if (isPostgres(db)) await sql.raw('DROP FUNCTION IF EXISTS machine_counts_change()').execute(db);
  await db.schema.dropTable('machine_counts').execute();
}
