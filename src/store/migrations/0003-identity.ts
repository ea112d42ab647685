import type { Kysely } from 'kysely';
import { textType } from '../dialect.js';

// Users, roles and device groups of each tenant (issue 3), and delegated permissions of applications.
// (The (tenant_id, rbac_group_id, id) index that device-group filters use comes with 0002.)
export async function up(db: Kysely<unknown>): Promise<void> {
  const text = textType(db);
  await db.schema.alterTable('applications').addColumn('delegated_permissions', text, (c) => c.notNull().defaultTo('[]')).execute();

  await db.schema
    .createTable('users')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('id', text, (c) => c.notNull())
    .addColumn('user_principal_name', text, (c) => c.notNull())
    .addColumn('user_principal_name_lc', text, (c) => c.notNull())
    .addColumn('display_name', text, (c) => c.notNull())
    .addColumn('password_hash', text)
    .addColumn('user_groups', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('users_by_upn').on('users').columns(['tenant_id', 'user_principal_name_lc']).unique().execute();

  await db.schema
    .createTable('roles')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('permissions', text, (c) => c.notNull())
    .addColumn('user_groups', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('roles_pk', ['tenant_id', 'name'])
    .execute();

  await db.schema
    .createTable('device_groups')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull())
    .addColumn('rules', text, (c) => c.notNull())
    .addColumn('user_groups', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('device_groups_pk', ['tenant_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['device_groups', 'roles', 'users']) await db.schema.dropTable(table).execute();
  await db.schema.alterTable('applications').dropColumn('delegated_permissions').execute();
}
