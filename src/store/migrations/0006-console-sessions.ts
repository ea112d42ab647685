import type { Kysely } from 'kysely';

/**
 * Console sign-outs that outlive a restart (issue 7). A signed-out session id is kept until the
 * session would have expired anyway; an admin's "end every session of this user" keeps the
 * moment it was asked, and sessions that began before it are refused. Epoch milliseconds.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_revoked_sessions')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_revoked_sessions_by_expiry').on('console_revoked_sessions').column('expires_at').execute();

  await db.schema
    .createTable('console_session_cutoffs')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('console_session_cutoffs_pk', ['tenant_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('console_session_cutoffs').execute();
  await db.schema.dropTable('console_revoked_sessions').execute();
}
