import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * On PostgreSQL, lets a device-value change update its machine in place (a HOT update: no new
 * entry in any of the machine's indexes), which is most of what a change cost the database
 * (issue 15, docs/adr/0020-postgresql-value-table.md). PostgreSQL can do so only when no index of
 * `machines` holds the changed column, and two held `device_value`: machines_by_value (value
 * filters, in id order) and machines_value_counts (the console's per-value counts of the
 * retention cutoff's day). So the value filter's index moves to a narrow table of its own,
 * `machine_values` (tenant, value, id: the primary key is that index), kept by statement
 * triggers from the rows each statement on `machines` changed (its transition tables), in the
 * same transaction: every snapshot sees the two agree, and no write path can forget it. The
 * count's index goes: that day's machines are read from the last-seen index instead. And the
 * table's pages keep a tenth free (fillfactor 90) for the new row versions, since a HOT version
 * must fit on its row's page. SQLite rewrites a row in place whatever it indexes: nothing
 * changes there.
 */
const TRIGGERS = [
  `CREATE TRIGGER machine_values_insert AFTER INSERT ON machines REFERENCING NEW TABLE AS added
     FOR EACH STATEMENT EXECUTE FUNCTION machine_values_change()`,
  `CREATE TRIGGER machine_values_update AFTER UPDATE ON machines REFERENCING OLD TABLE AS removed NEW TABLE AS added
     FOR EACH STATEMENT EXECUTE FUNCTION machine_values_change()`,
  `CREATE TRIGGER machine_values_delete AFTER DELETE ON machines REFERENCING OLD TABLE AS removed
     FOR EACH STATEMENT EXECUTE FUNCTION machine_values_change()`,
  `CREATE TRIGGER machine_values_truncate AFTER TRUNCATE ON machines FOR EACH STATEMENT EXECUTE FUNCTION machine_values_truncate()`,
];

/*
 * One function for the three kinds of statement (PostgreSQL allows transition tables only on a
 * trigger with one event). An update's old and new rows are not paired up: the keys that are no
 * longer there go and the new ones come, which is right whatever columns changed, and for an
 * update that changed no value (an import refreshing last_seen) both differences are empty.
 * Both go in one statement (their keys differ, so they cannot collide): as two, a group of a
 * dozen changes cost the database about 15 us a change more (bench:pg-writes, --writers 24).
 */
const FUNCTIONS = [
  `CREATE FUNCTION machine_values_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'INSERT' THEN
       INSERT INTO machine_values (tenant_id, device_value, id) SELECT tenant_id, device_value, id FROM added;
     ELSIF TG_OP = 'DELETE' THEN
       DELETE FROM machine_values v USING removed r WHERE v.tenant_id = r.tenant_id AND v.device_value = r.device_value AND v.id = r.id;
     ELSE
       WITH gone AS (
         DELETE FROM machine_values v
          USING (SELECT tenant_id, device_value, id FROM removed EXCEPT SELECT tenant_id, device_value, id FROM added) r
          WHERE v.tenant_id = r.tenant_id AND v.device_value = r.device_value AND v.id = r.id
       )
       INSERT INTO machine_values (tenant_id, device_value, id)
         SELECT tenant_id, device_value, id FROM added EXCEPT SELECT tenant_id, device_value, id FROM removed;
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE FUNCTION machine_values_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     TRUNCATE machine_values;
     RETURN NULL;
   END $$`,
];

/** The indexes of `machines` that held device_value (migrations 0002 and 0005), as they were. */
const VALUE_INDEXES = {
  machines_by_value: 'tenant_id, device_value, id',
  machines_value_counts: 'tenant_id, device_value, last_seen, rbac_group_id',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  // Collated as machines' columns are (byte order, dialect.ts), so the two join and sort alike.
  await sql`CREATE TABLE machine_values (
    tenant_id text COLLATE "C" NOT NULL,
    device_value text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    CONSTRAINT machine_values_pk PRIMARY KEY (tenant_id, device_value, id)
  )`.execute(db);
  await sql`INSERT INTO machine_values (tenant_id, device_value, id) SELECT tenant_id, device_value, id FROM machines`.execute(db);
  for (const statement of [...FUNCTIONS, ...TRIGGERS]) await sql.raw(statement).execute(db);
  for (const name of Object.keys(VALUE_INDEXES)) await sql.raw(`DROP INDEX IF EXISTS ${name}`).execute(db);
  await sql`ALTER TABLE machines SET (fillfactor = 90)`.execute(db);
  await sql`ANALYZE machine_values`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`ALTER TABLE machines RESET (fillfactor)`.execute(db);
  for (const [name, columns] of Object.entries(VALUE_INDEXES)) await sql.raw(`CREATE INDEX IF NOT EXISTS ${name} ON machines (${columns})`).execute(db);
  for (const name of ['machine_values_insert', 'machine_values_update', 'machine_values_delete', 'machine_values_truncate']) {
    await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON machines`).execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS machine_values_change()`.execute(db);
  await sql`DROP FUNCTION IF EXISTS machine_values_truncate()`.execute(db);
  await sql`DROP TABLE machine_values`.execute(db);
}
