import type { Kysely } from 'kysely';
import { textType } from '../dialect.js';

// Limits, faults and resets (issue 4): per-tenant and per-application limits, the seed a
// tenant's fleet was generated from, fault rules, and saved rate-limit counters.
export async function up(db: Kysely<unknown>): Promise<void> {
  const text = textType(db);
  await db.schema.alterTable('tenants').addColumn('limits', text).execute();
  await db.schema.alterTable('tenants').addColumn('seed', text).execute();
  await db.schema.alterTable('applications').addColumn('limits', text).execute();

  await db.schema
    .createTable('fault_rules')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('spec', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('fault_rules_pk', ['tenant_id', 'position'])
    .execute();

  await db.schema
    .createTable('limit_counters')
    .addColumn('key', text, (c) => c.primaryKey())
    .addColumn('minute_start', 'bigint', (c) => c.notNull())
    .addColumn('minute_count', 'integer', (c) => c.notNull())
    .addColumn('hour_start', 'bigint', (c) => c.notNull())
    .addColumn('hour_count', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('limit_counters').execute();
  await db.schema.dropTable('fault_rules').execute();
  await db.schema.alterTable('applications').dropColumn('limits').execute();
  await db.schema.alterTable('tenants').dropColumn('seed').execute();
  await db.schema.alterTable('tenants').dropColumn('limits').execute();
}
