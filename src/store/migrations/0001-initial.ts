import { sql, type Kysely } from 'kysely';
import { isPostgres, textType } from '../dialect.js';

// Written against Kysely's schema builder only, so the same file runs on SQLite and PostgreSQL.
export async function up(db: Kysely<unknown>): Promise<void> {
  const text = textType(db);
  await db.schema
    .createTable('tenants')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('retention_days', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('applications')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('client_id', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('secret_hash', text, (c) => c.notNull())
    .addColumn('roles', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('applications_pk', ['tenant_id', 'client_id'])
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', text, (c) => c.primaryKey())
    .addColumn('private_jwk', text, (c) => c.notNull())
    .addColumn('public_jwk', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('machines')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('id', text, (c) => c.notNull())
    .addColumn('merged_into_machine_id', text)
    .addColumn('is_potential_duplication', 'integer', (c) => c.notNull())
    .addColumn('is_excluded', 'integer', (c) => c.notNull())
    .addColumn('exclusion_reason', text)
    .addColumn('computer_dns_name', text, (c) => c.notNull())
    .addColumn('computer_dns_name_lc', text, (c) => c.notNull())
    .addColumn('first_seen', text, (c) => c.notNull())
    .addColumn('last_seen', text, (c) => c.notNull())
    .addColumn('os_platform', text, (c) => c.notNull())
    .addColumn('os_version', text)
    .addColumn('os_processor', text, (c) => c.notNull())
    .addColumn('version', text, (c) => c.notNull())
    .addColumn('last_ip_address', text, (c) => c.notNull())
    .addColumn('last_external_ip_address', text, (c) => c.notNull())
    .addColumn('agent_version', text, (c) => c.notNull())
    .addColumn('os_build', 'bigint')
    .addColumn('health_status', text, (c) => c.notNull())
    .addColumn('device_value', text, (c) => c.notNull())
    .addColumn('rbac_group_id', 'integer', (c) => c.notNull())
    .addColumn('rbac_group_name', text)
    .addColumn('risk_score', text)
    .addColumn('exposure_level', text)
    .addColumn('is_aad_joined', 'integer', (c) => c.notNull())
    .addColumn('aad_device_id', text)
    .addColumn('machine_tags', text, (c) => c.notNull())
    .addColumn('defender_av_status', text, (c) => c.notNull())
    .addColumn('onboarding_status', text, (c) => c.notNull())
    .addColumn('os_architecture', text, (c) => c.notNull())
    .addColumn('managed_by', text, (c) => c.notNull())
    .addColumn('managed_by_status', text, (c) => c.notNull())
    .addColumn('ip_addresses', text, (c) => c.notNull())
    .addColumn('vm_metadata', text)
    .addPrimaryKeyConstraint('machines_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('machines_dns_name').on('machines').columns(['tenant_id', 'computer_dns_name_lc']).execute();
  await db.schema.createIndex('machines_aad_device').on('machines').columns(['tenant_id', 'aad_device_id']).execute();
  await db.schema.createIndex('machines_last_seen').on('machines').columns(['tenant_id', 'last_seen']).execute();

  await db.schema
    .createTable('machine_tags')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('machine_id', text, (c) => c.notNull())
    .addColumn('tag', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('machine_tags_pk', ['tenant_id', 'machine_id', 'tag'])
    .execute();
  await db.schema.createIndex('machine_tags_by_tag').on('machine_tags').columns(['tenant_id', 'tag']).execute();

  await db.schema
    .createTable('value_history')
    // SQLite's INTEGER PRIMARY KEY is the rowid (ascending); PostgreSQL needs an identity column.
    .addColumn('seq', sql`integer`, (c) => (isPostgres(db) ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('machine_id', text, (c) => c.notNull())
    .addColumn('old_value', text, (c) => c.notNull())
    .addColumn('new_value', text, (c) => c.notNull())
    .addColumn('changed_at', text, (c) => c.notNull())
    .addColumn('app_id', text)
    .addColumn('user_id', text)
    .addColumn('route', text, (c) => c.notNull())
    .addColumn('request_id', text)
    .execute();
  await db.schema.createIndex('value_history_by_machine').on('value_history').columns(['tenant_id', 'machine_id', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['value_history', 'machine_tags', 'machines', 'signing_keys', 'applications', 'tenants']) {
    await db.schema.dropTable(table).execute();
  }
}
