import { sql, type Kysely } from 'kysely';
import { isPostgres, textType } from '../dialect.js';

/**
 * State several instances on one database share (issue 6): the request journal, the call
 * counters of fault rules, and generated secrets (admin key, console session key). A single
 * SQLite instance keeps its journal in memory and its secrets in files, but the tables exist on
 * both backends so that one migration set serves both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const text = textType(db);
  await db.schema
    .createTable('journal_entries')
    // SQLite's rowid alias must be spelled `integer primary key`; PostgreSQL's counter may pass 2^31.
    .addColumn('seq', isPostgres(db) ? sql`bigint` : sql`integer`, (c) => (isPostgres(db) ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('entry', text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('journal_entries_by_tenant').on('journal_entries').columns(['tenant_id', 'seq']).execute();

  await db.schema
    .createTable('fault_counters')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('rule_key', text, (c) => c.notNull())
    .addColumn('calls', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('fault_counters_pk', ['tenant_id', 'rule_key'])
    .execute();

  await db.schema
    .createTable('shared_secrets')
    .addColumn('name', text, (c) => c.primaryKey())
    .addColumn('value', text, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('shared_secrets').execute();
  await db.schema.dropTable('fault_counters').execute();
  await db.schema.dropTable('journal_entries').execute();
}
