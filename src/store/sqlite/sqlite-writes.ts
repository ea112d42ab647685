import type { Kysely } from 'kysely';
import type { MachineUpdate } from '../../domain/ports.js';
import { isValueChange, type ChangeContext } from '../../domain/machines/value-change.js';
import { applyUpdate, planUpdate, valueTransition } from '../machine-writes.js';
import type { Database, MachineRow } from '../schema.js';
import { BulkSql } from './bulk-sql.js';
import type { MachineStatements } from './machine-statements.js';
import type { SyncExecutor } from './sync-executor.js';
import type { UpdateOutcome, WriteOp } from './write-protocol.js';

/**
 * What each write operation does inside the group's transaction (group-commit.ts). An update
 * reads the current row, writes the new one and appends the history entry in that transaction,
 * so the history can never disagree with the machine.
 */
export class SqliteWrites {
  private readonly bulk: BulkSql;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly exec: SyncExecutor,
    private readonly statements: MachineStatements,
  ) {
    this.bulk = new BulkSql(db, exec);
  }

  apply(op: WriteOp): UpdateOutcome | undefined {
    switch (op.op) {
      case 'update':
        return this.update(op.update);
      case 'putMachines':
        for (const row of op.rows) this.putMachine(row, op.change);
        return undefined;
      case 'putIpHistory':
        this.bulk.putIpRows(op.rows);
        return undefined;
      case 'exec':
        for (const statement of op.statements) this.exec.run(statement);
        return undefined;
    }
  }

  /** How much an operation writes, in rows: the measure of when to checkpoint. */
  static weight(op: WriteOp): number {
    switch (op.op) {
      case 'update':
        return 1;
      case 'putMachines':
      case 'putIpHistory':
        return op.rows.length;
      case 'exec':
        return op.statements.length;
    }
  }

  private update(u: MachineUpdate): UpdateOutcome | undefined {
    const current = this.statements.machineById(u.scope, u.machineId);
    if (!current) return undefined;
    // The common change (device value, group) runs precompiled; tag changes take the shared plan.
    if (u.machineTags !== undefined) {
      const plan = planUpdate(this.db, current, u);
      for (const statement of plan.statements) this.exec.run(statement);
      return { row: plan.row, previousDeviceValue: plan.previousDeviceValue };
    }
    // `current` was built for this call (raw row values): changed in place rather than copied.
    const previousDeviceValue = current.device_value;
    const row = applyUpdate(current, u);
    if (u.group === undefined) this.statements.writeValue(row);
    else this.statements.writeColumns(row);
    if (isValueChange(previousDeviceValue, u.deviceValue)) this.statements.recordValueChange(row.tenant_id, row.id, previousDeviceValue, u.deviceValue, u.change);
    return { row, previousDeviceValue };
  }

  private putMachine(row: MachineRow, change: ChangeContext): void {
    const transition = valueTransition(row, this.bulk.putMachine(row));
    if (transition) this.statements.recordValueChange(transition.tenantId, transition.machineId, transition.oldValue, transition.newValue, change);
  }
}
