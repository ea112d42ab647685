import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * PostgreSQL's $skip bookmarks (docs/adr/0018-postgresql-deep-skip.md) need to know, in a page's
 * own snapshot, whether anything that could move a machine in or out of a listing was committed
 * since the bookmark was made. Statement triggers on `machines` and `machine_tags` append a row
 * per statement to `machine_list_changes`, by kind of change: `values` (an UPDATE setting
 * device_value: setDeviceValue's grouped statement fires only this one), `tags` (the tags
 * column or the tag table) and `members` (everything else: inserts, deletes, any other column).
 * A kind's version is its sum(n): rows are only appended, and the leader folds them into one row
 * per kind in one statement (list-versions.ts), so every snapshot's sum only grows, and grows with
 * each committed change. Appending takes no lock anyone waits on, and a statement trigger runs
 * once per statement, not per row. SQLite needs none of it: its data_version says "something was
 * committed" (src/store/sqlite/sqlite-inventory.ts), so there this migration does nothing.
 */
const KINDS_OF_UPDATE = ['device_value', 'machine_tags'];

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await db.schema
    .createTable('machine_list_changes')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into machine_list_changes (kind, n) values ('members', 1), ('values', 1), ('tags', 1)`.execute(db);
  await sql.raw(`CREATE FUNCTION machine_list_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO machine_list_changes (kind, n) VALUES (TG_ARGV[0], 1);
      RETURN NULL;
    END $$`).execute(db);
  // Every other column of machines, as the table is now: a migration adding a column must list it
  // here too (test/list-versions-upgrade.test.ts fails until it does).
  const others = await sql<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = current_schema() and table_name = 'machines' order by ordinal_position`.execute(db);
  const members = others.rows.map((r) => r.name).filter((c) => !KINDS_OF_UPDATE.includes(c));
  const statements = [
    `CREATE TRIGGER machine_list_members AFTER INSERT OR DELETE OR TRUNCATE ON machines FOR EACH STATEMENT EXECUTE FUNCTION machine_list_change('members')`,
    `CREATE TRIGGER machine_list_members_update AFTER UPDATE OF ${members.map((c) => `"${c}"`).join(', ')} ON machines FOR EACH STATEMENT EXECUTE FUNCTION machine_list_change('members')`,
    `CREATE TRIGGER machine_list_values AFTER UPDATE OF device_value ON machines FOR EACH STATEMENT EXECUTE FUNCTION machine_list_change('values')`,
    `CREATE TRIGGER machine_list_tags AFTER UPDATE OF machine_tags ON machines FOR EACH STATEMENT EXECUTE FUNCTION machine_list_change('tags')`,
    `CREATE TRIGGER machine_list_tag_rows AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON machine_tags FOR EACH STATEMENT EXECUTE FUNCTION machine_list_change('tags')`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const [name, table] of [
    ['machine_list_members', 'machines'],
    ['machine_list_members_update', 'machines'],
    ['machine_list_values', 'machines'],
    ['machine_list_tags', 'machines'],
    ['machine_list_tag_rows', 'machine_tags'],
  ]) {
    await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`).execute(db);
  }
  await sql.raw('DROP FUNCTION IF EXISTS machine_list_change()').execute(db);
  await db.schema.dropTable('machine_list_changes').execute();
}
