/**
 * The writer thread. It owns the only write connection and commits everything that arrived
 * while the previous commit was being flushed in one transaction (group commit): one fsync for
 * many requests, and never on the event loop that serves HTTP. Each operation runs in its own
 * savepoint so one failing operation does not undo its neighbours.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MachineUpdate } from '../../domain/ports.js';
import type { ChangeContext } from '../../domain/value-change.js';
import type { MachineRow } from '../schema.js';
import { openSqlite } from './connection.js';
import { SyncExecutor } from './sync-executor.js';
import type { UpdateOutcome, WriteBatch, WriteOp, WriteReply, WriteResult, WriterData } from './write-protocol.js';
import { tagRows } from './machine-sql.js';
import { BulkSql } from './bulk-sql.js';
import { inScope } from '../machine-scope.js';

if (!parentPort) throw new Error('write-worker must run as a worker thread');
const port = parentPort;
const { path, durability } = workerData as WriterData;
const { raw, kysely } = openSqlite(path, durability);
const exec = new SyncExecutor(raw);
const bulk = new BulkSql(kysely, exec);

let queue: WriteBatch[] = [];
let scheduled = false;

port.on('message', (batch: WriteBatch | 'close') => {
  if (batch === 'close') {
    drain();
    raw.close();
    port.close();
    return;
  }
  queue.push(batch);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
});

// A nested better-sqlite3 transaction is a SAVEPOINT inside the outer one.
const runInSavepoint = raw.transaction((op: WriteOp) => apply(op));

function drain(): void {
  scheduled = false;
  if (queue.length === 0) return;
  const batches = queue;
  queue = [];
  let replies: WriteReply[];
  try {
    replies = raw.transaction(() => batches.map((b) => ({ id: b.id, results: b.ops.map(attempt) })))();
  } catch (error) {
    // The commit itself failed (disk full, I/O error): nothing of the group was written.
    const failure: WriteResult = { ok: false, message: describe(error) };
    replies = batches.map((b) => ({ id: b.id, results: b.ops.map(() => failure) }));
  }
  port.postMessage(replies);
}

function attempt(op: WriteOp): WriteResult {
  try {
    return { ok: true, value: runInSavepoint(op) };
  } catch (error) {
    return { ok: false, message: describe(error) };
  }
}

function apply(op: WriteOp): UpdateOutcome | undefined {
  switch (op.op) {
    case 'update':
      return update(op.update);
    case 'putMachines':
      for (const row of op.rows) putMachine(row, op.change);
      return undefined;
    case 'putIpHistory':
      bulk.putIpRows(op.rows);
      return undefined;
    case 'exec':
      for (const statement of op.statements) exec.run(statement);
      return undefined;
  }
}

function update(u: MachineUpdate): UpdateOutcome | undefined {
  const tenantId = u.scope.tenantId;
  const row = exec.get<MachineRow>(inScope(kysely.selectFrom('machines').selectAll(), u.scope).where('id', '=', u.machineId).compile());
  if (!row) return undefined;
  const previousDeviceValue = row.device_value;
  if (u.deviceValue !== undefined) row.device_value = u.deviceValue;
  if (u.machineTags !== undefined) {
    row.machine_tags = JSON.stringify(u.machineTags);
    replaceTags(tenantId, u.machineId, u.machineTags);
  }
  if (u.group !== undefined) {
    row.rbac_group_id = u.group.rbacGroupId;
    row.rbac_group_name = u.group.rbacGroupName;
  }
  exec.run(
    kysely
      .updateTable('machines')
      .set({ device_value: row.device_value, machine_tags: row.machine_tags, rbac_group_id: row.rbac_group_id, rbac_group_name: row.rbac_group_name })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', u.machineId)
      .compile(),
  );
  if (u.deviceValue !== undefined) recordValueChange(tenantId, u.machineId, previousDeviceValue, u.deviceValue, u.change);
  return { row, previousDeviceValue };
}

function putMachine(row: MachineRow, change: ChangeContext): void {
  const previous = bulk.putMachine(row);
  if (previous !== undefined && previous !== row.device_value) {
    recordValueChange(row.tenant_id, row.id, previous, row.device_value, change);
  }
}

function recordValueChange(tenantId: string, machineId: string, oldValue: string, newValue: string, change: ChangeContext): void {
  exec.run(
    kysely
      .insertInto('value_history')
      .values({
        tenant_id: tenantId,
        machine_id: machineId,
        old_value: oldValue,
        new_value: newValue,
        changed_at: change.at,
        app_id: change.appId,
        user_id: change.userId,
        route: change.route,
        request_id: change.requestId,
      })
      .compile(),
  );
}

function replaceTags(tenantId: string, machineId: string, tags: readonly string[]): void {
  exec.run(kysely.deleteFrom('machine_tags').where('tenant_id', '=', tenantId).where('machine_id', '=', machineId).compile());
  if (tags.length > 0) exec.run(kysely.insertInto('machine_tags').values(tagRows(tenantId, machineId, tags)).compile());
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
