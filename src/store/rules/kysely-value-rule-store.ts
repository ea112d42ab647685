import type { CompiledQuery, Kysely } from 'kysely';
import type { DeviceValue } from '../../domain/machines/device-value.js';
import type { RuleRun, ValueRuleStore } from '../../domain/rules/value-rule-ports.js';
import type { ValueRule, ValueRuleSpec } from '../../domain/rules/value-rule.js';
import type { StatementRunner } from '../actions/kysely-action-store.js';
import type { Database, ValueRuleRunRow } from '../schema.js';

/** Value rules and their runs on either backend, with the same Kysely queries. */
export class KyselyValueRuleStore implements ValueRuleStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly run: StatementRunner,
    /** Statements that make a replace wait for another writer's replace of the same tenant (PostgreSQL). */
    private readonly serialized: (key: string) => CompiledQuery[],
  ) {}

  async listValueRules(tenantId: string): Promise<ValueRule[]> {
    const rows = await this.run.all(this.db.selectFrom('value_rules').selectAll().where('tenant_id', '=', tenantId).orderBy('position').compile());
    return rows.map((r) => ({ name: r.name, filter: r.filter, deviceValue: r.device_value as DeviceValue, appliedAt: r.applied_at }));
  }

  async replaceValueRules(tenantId: string, rules: readonly ValueRule[]): Promise<void> {
    await this.run.exec(
      ...this.serialized(`value-rules/${tenantId}`),
      this.db.deleteFrom('value_rules').where('tenant_id', '=', tenantId).compile(),
      ...rules.map((r, position) =>
        this.db.insertInto('value_rules').values({ tenant_id: tenantId, position, name: r.name, filter: r.filter, device_value: r.deviceValue, applied_at: r.appliedAt }).compile(),
      ),
    );
  }

  async markValueRuleApplied(tenantId: string, position: number, name: string, at: string): Promise<void> {
    await this.run.exec(
      this.db.updateTable('value_rules').set({ applied_at: at }).where('tenant_id', '=', tenantId).where('position', '=', position).where('name', '=', name).compile(),
    );
  }

  async openRuleRun(tenantId: string): Promise<RuleRun | undefined> {
    const query = this.db.selectFrom('value_rule_runs').selectAll().where('tenant_id', '=', tenantId).where('finished_at', 'is', null).orderBy('started_at', 'desc').limit(1);
    const [row] = await this.run.all(query.compile());
    return row && rowToRun(row);
  }

  async getRuleRun(tenantId: string, id: string): Promise<RuleRun | undefined> {
    const [row] = await this.run.all(this.db.selectFrom('value_rule_runs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id.toLowerCase()).compile());
    return row && rowToRun(row);
  }

  async putRuleRun(run: RuleRun): Promise<void> {
    const row = runToRow(run);
    const { id: _id, ...changes } = row;
    await this.run.exec(this.db.insertInto('value_rule_runs').values(row).onConflict((oc) => oc.column('id').doUpdateSet(changes)).compile());
  }

  async changedByHandSince(tenantId: string, machineIds: readonly string[], since: string): Promise<Set<string>> {
    if (machineIds.length === 0) return new Set();
    // Read from the (tenant, machine, changed_at, seq) index of migration 0012 (value_history_by_machine_time).
    const query = this.db
      .selectFrom('value_history')
      .select('machine_id')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('machine_id', 'in', [...machineIds])
      .where('changed_at', '>', since)
      .where('route', '<>', 'rule');
    return new Set((await this.run.all(query.compile())).map((r) => r.machine_id));
  }
}

function runToRow(run: RuleRun): ValueRuleRunRow {
  return {
    id: run.id,
    tenant_id: run.tenantId,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    actor: run.actor,
    rules: JSON.stringify(run.rules),
    position: run.position,
    after_id: run.afterId,
    changed: JSON.stringify(run.changed),
  };
}

function rowToRun(row: ValueRuleRunRow): RuleRun {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    actor: row.actor,
    rules: JSON.parse(row.rules) as ValueRuleSpec[],
    position: Number(row.position),
    afterId: row.after_id,
    changed: JSON.parse(row.changed) as number[],
  };
}
