import { sql, type Kysely } from 'kysely';
import { textType } from '../dialect.js';

/**
 * Machine actions and investigations (issue 11). An action row holds the facts fixed at creation,
 * its whole timeline included (picked up at, ends at, outcome), and a cancellation if one came:
 * its status at any moment follows from them and the clock, so there is nothing to update as time
 * passes. `effect_pending` marks a succeeded isolation, restriction or offboarding whose effect
 * on the device is still to be applied. A tenant's action settings (timings, live-response
 * library) are one JSON column of its row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const text = textType(db);
  await db.schema.alterTable('tenants').addColumn('actions', text).execute();

  await db.schema
    .createTable('machine_actions')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('id', text, (c) => c.notNull())
    .addColumn('type', text, (c) => c.notNull())
    .addColumn('machine_id', text, (c) => c.notNull())
    .addColumn('computer_dns_name', text, (c) => c.notNull())
    .addColumn('scope', text)
    .addColumn('requestor', text, (c) => c.notNull())
    .addColumn('requestor_comment', text, (c) => c.notNull())
    .addColumn('request_source', text, (c) => c.notNull())
    .addColumn('app_id', text, (c) => c.notNull())
    .addColumn('user_id', text)
    .addColumn('request_id', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('picked_up_at', text)
    .addColumn('ends_at', text, (c) => c.notNull())
    .addColumn('outcome', text, (c) => c.notNull())
    .addColumn('error_hresult', 'bigint', (c) => c.notNull())
    .addColumn('file_sha1', text)
    .addColumn('commands', text, (c) => c.notNull())
    .addColumn('cancellation_requestor', text)
    .addColumn('cancellation_comment', text)
    .addColumn('cancelled_at', text)
    .addColumn('effect_pending', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('machine_actions_pk', ['tenant_id', 'id'])
    .execute();
  // The listing's default order (newest first), a device's actions (duplicates, console), a
  // tenant's active live-response sessions (at most 25), and the effects still to apply (a handful).
  await db.schema.createIndex('machine_actions_by_created').on('machine_actions').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('machine_actions_by_machine').on('machine_actions').columns(['tenant_id', 'machine_id', 'type', 'ends_at']).execute();
  await db.schema.createIndex('machine_actions_by_type').on('machine_actions').columns(['tenant_id', 'type', 'ends_at']).execute();
  await db.schema.createIndex('machine_actions_effects_due').on('machine_actions').columns(['ends_at']).where(sql.ref('effect_pending'), '=', 1).execute();

  await db.schema
    .createTable('machine_response_states')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('machine_id', text, (c) => c.notNull())
    .addColumn('family', text, (c) => c.notNull())
    .addColumn('state', text, (c) => c.notNull())
    .addColumn('detail', text)
    .addColumn('since', text, (c) => c.notNull())
    .addColumn('action_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('machine_response_states_pk', ['tenant_id', 'machine_id', 'family'])
    .execute();
  // The console's "isolated devices" filter.
  await db.schema.createIndex('machine_response_states_by_state').on('machine_response_states').columns(['tenant_id', 'family', 'state', 'machine_id']).execute();

  await db.schema
    .createTable('investigations')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('id', text, (c) => c.notNull())
    .addColumn('machine_id', text, (c) => c.notNull())
    .addColumn('computer_dns_name', text, (c) => c.notNull())
    .addColumn('comment', text, (c) => c.notNull())
    .addColumn('requestor', text, (c) => c.notNull())
    .addColumn('app_id', text, (c) => c.notNull())
    .addColumn('user_id', text)
    .addColumn('request_id', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('picked_up_at', text)
    .addColumn('ends_at', text, (c) => c.notNull())
    .addColumn('outcome', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('investigations_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('investigations_by_created').on('investigations').columns(['tenant_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('investigations').execute();
  await db.schema.dropTable('machine_response_states').execute();
  await db.schema.dropTable('machine_actions').execute();
  await db.schema.alterTable('tenants').dropColumn('actions').execute();
}
