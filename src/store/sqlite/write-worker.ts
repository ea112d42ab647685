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
import { planUpdate, valueChangeInsert } from '../machine-writes.js';
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
  const current = exec.get<MachineRow>(inScope(kysely.selectFrom('machines').selectAll(), u.scope).where('id', '=', u.machineId).compile());
  if (!current) return undefined;
  const plan = planUpdate(kysely, current, u);
  for (const statement of plan.statements) exec.run(statement);
  return { row: plan.row, previousDeviceValue: plan.previousDeviceValue };
}

function putMachine(row: MachineRow, change: ChangeContext): void {
  const previous = bulk.putMachine(row);
  if (previous !== undefined && previous !== row.device_value) {
    exec.run(valueChangeInsert(kysely, [{ tenantId: row.tenant_id, machineId: row.id, oldValue: previous, newValue: row.device_value }], change));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
