import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { MachineScope } from '../../domain/ports.js';
import type { ChangeContext } from '../../domain/machines/value-change.js';
import type { Timestamp } from '../../shared/timestamp.js';
import { valueChangeInsert } from '../machine-writes.js';
import { inScope } from '../machine-scope.js';
import type { Database, MachineRow } from '../schema.js';
import { MACHINE_COLUMNS, rowFromValues } from './machine-row-values.js';
import { StatementTemplate } from './statement-template.js';
import type { SyncExecutor } from './sync-executor.js';

type ByIdSlot = 'tenant' | 'since' | 'id' | `g${number}`;

/**
 * The statements of the hot paths (GET by id, setDeviceValue), compiled once from the same
 * Kysely builders as everywhere else and then only bound: the lookup of a visible machine by id,
 * the update of its changeable columns and the value-history insert.
 */
export class MachineStatements {
  /** By the number of device groups in the scope (-1: every group); raw mode: rows as arrays. */
  private readonly byId = new Map<number, { readonly template: StatementTemplate<ByIdSlot>; readonly statement: BetterSqlite3.Statement }>();
  private readonly setColumns: StatementTemplate<'value' | 'tags' | 'groupId' | 'groupName' | 'tenant' | 'id'>;
  /** The value alone: an UPDATE naming fewer columns rewrites fewer index entries. */
  private readonly setValue: StatementTemplate<'value' | 'tenant' | 'id'>;
  private readonly history: StatementTemplate<'tenant' | 'id' | 'old' | 'new' | 'at' | 'app' | 'user' | 'route' | 'request'>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly exec: SyncExecutor,
  ) {
    this.setColumns = new StatementTemplate((slot) =>
      db
        .updateTable('machines')
        .set({ device_value: slot('value'), machine_tags: slot('tags'), rbac_group_id: slot('groupId') as unknown as number, rbac_group_name: slot('groupName') })
        .where('tenant_id', '=', slot('tenant'))
        .where('id', '=', slot('id'))
        .compile(),
    );
    this.setValue = new StatementTemplate((slot) =>
      db.updateTable('machines').set({ device_value: slot('value') }).where('tenant_id', '=', slot('tenant')).where('id', '=', slot('id')).compile(),
    );
    this.history = new StatementTemplate((slot) =>
      valueChangeInsert(db, [{ tenantId: slot('tenant'), machineId: slot('id'), oldValue: slot('old'), newValue: slot('new') }], {
        at: slot('at') as Timestamp,
        appId: slot('app'),
        userId: slot('user'),
        route: slot('route') as ChangeContext['route'],
        requestId: slot('request'),
      }),
    );
  }

  machineById(scope: MachineScope, id: string): MachineRow | undefined {
    const groups = scope.rbacGroupIds;
    const key = groups === null ? -1 : groups.length;
    let byId = this.byId.get(key);
    if (!byId) {
      const template = new StatementTemplate<ByIdSlot>((slot) => {
        const shape: MachineScope = {
          tenantId: slot('tenant'),
          visibleSince: slot('since') as Timestamp,
          rbacGroupIds: groups === null ? null : groups.map((_, i) => slot(`g${i}`) as unknown as number),
        };
        return inScope(this.db.selectFrom('machines').select(MACHINE_COLUMNS), shape).where('id', '=', slot('id')).compile();
      });
      byId = { template, statement: this.exec.db.prepare(template.sql).raw(true) };
      this.byId.set(key, byId);
    }
    const values: Record<string, unknown> = { tenant: scope.tenantId, since: scope.visibleSince, id };
    if (groups !== null) groups.forEach((g, i) => (values[`g${i}`] = g));
    const row = byId.statement.get(...byId.template.bind(values as Record<ByIdSlot, unknown>)) as unknown[] | undefined;
    return row && rowFromValues(row);
  }

  /** Writes the columns an update may change (device value, tags text, device group). */
  writeColumns(row: MachineRow): void {
    this.exec.run({
      sql: this.setColumns.sql,
      parameters: this.setColumns.bind({
        value: row.device_value,
        tags: row.machine_tags,
        groupId: row.rbac_group_id,
        groupName: row.rbac_group_name,
        tenant: row.tenant_id,
        id: row.id,
      }),
    });
  }

  writeValue(row: MachineRow): void {
    this.exec.run({ sql: this.setValue.sql, parameters: this.setValue.bind({ value: row.device_value, tenant: row.tenant_id, id: row.id }) });
  }

  recordValueChange(tenantId: string, machineId: string, oldValue: string, newValue: string, change: ChangeContext): void {
    this.exec.run({
      sql: this.history.sql,
      parameters: this.history.bind({
        tenant: tenantId,
        id: machineId,
        old: oldValue,
        new: newValue,
        at: change.at,
        app: change.appId,
        user: change.userId,
        route: change.route,
        request: change.requestId,
      }),
    });
  }
}
