import type { Kysely } from 'kysely';
import { textType } from '../dialect.js';

/**
 * Value rules (issue 13): a tenant's ordered rules, each with the time its last apply finished
 * (the preview's "hand-set since last apply" compares history against it), and the record of
 * each apply run, which holds its progress so a run stopped half-way continues where it was.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const text = textType(db);
  await db.schema
    .createTable('value_rules')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('filter', text, (c) => c.notNull())
    .addColumn('device_value', text, (c) => c.notNull())
    .addColumn('applied_at', text)
    .addPrimaryKeyConstraint('value_rules_pk', ['tenant_id', 'position'])
    .execute();

  await db.schema
    .createTable('value_rule_runs')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('started_at', text, (c) => c.notNull())
    .addColumn('finished_at', text)
    .addColumn('actor', text, (c) => c.notNull())
    .addColumn('rules', text, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('after_id', text, (c) => c.notNull())
    .addColumn('changed', text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('value_rule_runs_by_tenant').on('value_rule_runs').columns(['tenant_id', 'started_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('value_rule_runs').execute();
  await db.schema.dropTable('value_rules').execute();
}
