import { sql, type Kysely } from 'kysely';
import { isPostgres, textType } from '../dialect.js';

/**
 * Alerts (issue 16). One row per alert, keyed by tenant; comments, MITRE techniques, the related
 * user and the evidence are JSON text (evidence is read only when asked for). The device's name
 * and group are not copied: reads join the device, which also decides visibility (retention and
 * device groups). Every change is recorded in `alert_history` in the same transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const text = textType(db);
  await db.schema
    .createTable('alerts')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('id', text, (c) => c.notNull())
    .addColumn('machine_id', text, (c) => c.notNull())
    .addColumn('incident_id', 'bigint')
    .addColumn('investigation_id', 'bigint')
    .addColumn('assigned_to', text)
    /** Lower-cased copy of assigned_to: `$filter` compares user names without case. */
    .addColumn('assigned_to_lc', text)
    .addColumn('severity', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('classification', text)
    .addColumn('determination', text)
    .addColumn('investigation_state', text)
    .addColumn('detection_source', text, (c) => c.notNull())
    .addColumn('detector_id', text, (c) => c.notNull())
    .addColumn('category', text, (c) => c.notNull())
    .addColumn('threat_family_name', text)
    .addColumn('title', text, (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull())
    .addColumn('recommended_action', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('first_event_at', text)
    .addColumn('last_event_at', text)
    .addColumn('last_update_at', text)
    .addColumn('resolved_at', text)
    .addColumn('threat_name', text)
    .addColumn('mitre_techniques', text, (c) => c.notNull())
    .addColumn('related_user', text)
    .addColumn('comments', text, (c) => c.notNull())
    .addColumn('evidence', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('alerts_pk', ['tenant_id', 'id'])
    .execute();
  // The hot query: a tenant's alerts by creation time (the SOAR fetch loop, newest first by
  // default); a device's alerts (GET /machines/{id}/alerts, CreateAlertByReference's merge).
  await db.schema.createIndex('alerts_by_created').on('alerts').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('alerts_by_machine').on('alerts').columns(['tenant_id', 'machine_id', 'created_at']).execute();

  await db.schema
    .createTable('alert_history')
    // SQLite's INTEGER PRIMARY KEY is the rowid (ascending); PostgreSQL needs an identity column.
    .addColumn('seq', sql`integer`, (c) => (isPostgres(db) ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('alert_id', text, (c) => c.notNull())
    .addColumn('changes', text, (c) => c.notNull())
    .addColumn('changed_at', text, (c) => c.notNull())
    .addColumn('app_id', text)
    .addColumn('user_id', text)
    .addColumn('route', text, (c) => c.notNull())
    .addColumn('request_id', text)
    .execute();
  await db.schema.createIndex('alert_history_by_alert').on('alert_history').columns(['tenant_id', 'alert_id', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('alert_history').execute();
  await db.schema.dropTable('alerts').execute();
}
