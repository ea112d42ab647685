import type { DeviceValue } from '../../domain/machines/device-value.js';
import type { ChangeContext } from '../../domain/machines/value-change.js';
import type { MachineScope } from '../../domain/ports.js';
import { NO_WRITE_TELEMETRY, type WriteTelemetry } from '../../shared/write-telemetry.js';
import type { MachineRow } from '../schema.js';
import { MACHINE_COLUMNS } from '../sqlite/machine-row-values.js';
import { BatchQueue, settleByPosition, type BatchLimits, type Positioned, type Waiting } from './batch-queue.js';
import { scopeArrays, VISIBLE_TO_INPUT } from './batch-scope.js';

/*
 * Group commit for device-value changes on PostgreSQL (issue 15, docs/adr/0013-postgresql-group-commit.md).
 *
 * Each statement costs the database a parse, a plan, an executor start, a transaction id, a
 * commit record and a backend wake-up, whatever it writes; on this machine that was most of the
 * ~1 ms of database CPU a value change took. So the changes that arrive while earlier ones are
 * being written wait (never on a timer) and go together: one statement, one transaction, one
 * commit, durable when it returns. Nothing is acknowledged before that commit.
 *
 * The statement keeps every rule of the one-change path: it locks the visible rows (tenant,
 * retention and device groups checked per change, and re-checked by PostgreSQL after a wait),
 * in (tenant, id) order so two batches (of this instance or another) cannot deadlock, updates
 * them and appends one history entry each, whose old value is the locked row's, in arrival order.
 * A batch never holds one machine twice: a second change of a machine waits for the next batch,
 * so it reads the value the first one committed and the history chains.
 */

export type { BatchLimits } from './batch-queue.js';

/**
 * One statement at a time per instance, of up to 256 changes (eleven arrays of that many
 * elements: a short transaction). With two at a time each group was half as big, and a change's
 * share of a statement's fixed cost twice as big: bench:backends measured one instance about as
 * fast either way, and two instances on one database 2,578 changes/s with two (slower than one
 * instance) against 3,165 with one.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { inFlight: 1, maxBatch: 256 };

export interface ValueWrite {
  readonly scope: MachineScope;
  readonly machineId: string;
  readonly deviceValue: DeviceValue;
  readonly change: ChangeContext;
}

/** Runs one parameterised statement (a named, prepared one: the text never changes) and returns its rows. */
export type RunStatement = (name: string, text: string, values: unknown[]) => Promise<BatchRow[]>;

/** A locked machine row as it was before the change, with the change's position in the batch. */
export type BatchRow = Positioned<MachineRow>;

type Pending = Waiting<ValueWrite, MachineRow | undefined>;

const STATEMENT_NAME = 'rampart_set_device_values';
/*
 * The columns are named, not `m.*`: a prepared statement whose result columns change (a later
 * migration adding a column while this instance runs) fails with "cached plan must not change
 * result type" until its connection closes.
 */
const STATEMENT = `
with input as (
  select ord, tenant_id collate "C" as tenant_id, id collate "C" as id, new_value, visible_since collate "C" as visible_since,
         groups::integer[] as groups, changed_at, app_id, user_id, route, request_id
  from unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
    as i(ord, tenant_id, id, new_value, visible_since, groups, changed_at, app_id, user_id, route, request_id)
), old as (
  select ${MACHINE_COLUMNS.map((c) => `m.${c}`).join(', ')}, i.ord as batch_ord
  from input i join machines m on m.tenant_id = i.tenant_id and m.id = i.id
  where ${VISIBLE_TO_INPUT}
  order by m.tenant_id, m.id
  for update of m
), upd as (
  update machines set device_value = i.new_value
  from old join input i on i.ord = old.batch_ord
  where machines.tenant_id = old.tenant_id and machines.id = old.id and old.device_value <> i.new_value
), hist as (
  insert into value_history (tenant_id, machine_id, old_value, new_value, changed_at, app_id, user_id, route, request_id)
  select old.tenant_id, old.id, old.device_value, i.new_value, i.changed_at, i.app_id, i.user_id, i.route, i.request_id
  from old join input i on i.ord = old.batch_ord
  -- Only a real change is history (isValueChange, src/domain/machines/value-change.ts): the locked row's value decides.
  where old.device_value <> i.new_value
  order by old.batch_ord
)
select * from old`;

/** Writes device-value changes in batches; each promise settles when its batch commits (or fails). */
export class ValueWriteBatcher {
  private readonly queue: BatchQueue<ValueWrite, MachineRow | undefined>;

  constructor(
    private readonly run: RunStatement,
    limits: BatchLimits = DEFAULT_BATCH_LIMITS,
    private readonly telemetry: WriteTelemetry = NO_WRITE_TELEMETRY,
  ) {
    // A batch never holds one machine twice (see above).
    this.queue = new BatchQueue((batch) => this.send(batch), limits, (w) => `${w.scope.tenantId}\u0000${w.machineId}`);
  }

  /** The machine's row before the change (under the lock), or undefined when it is not visible. */
  write(write: ValueWrite): Promise<MachineRow | undefined> {
    return this.queue.add(write);
  }

  private async send(batch: readonly Pending[]): Promise<void> {
    const started = performance.now();
    const rows = await this.run(STATEMENT_NAME, STATEMENT, parameters(batch.map((p) => p.item)));
    reportCommit(this.telemetry, batch.length, started);
    settleByPosition(batch, rows);
  }
}

/**
 * A PostgreSQL transaction is durable when its COMMIT returns (synchronous_commit stays on): its
 * whole time is both the group's commit and its flush (docs/observability.md).
 */
export function reportCommit(telemetry: WriteTelemetry, size: number, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  telemetry.group(size, seconds);
  telemetry.flush(seconds);
}

/** The statement's eleven arrays, element `ord` of each describing change `ord`. */
function parameters(writes: readonly ValueWrite[]): unknown[] {
  const column = <T>(f: (w: ValueWrite) => T): T[] => writes.map(f);
  const [tenants, visibleSince, groups] = scopeArrays(writes.map((w) => w.scope));
  return [
    writes.map((_, ord) => ord),
    tenants,
    column((w) => w.machineId),
    column((w) => w.deviceValue),
    visibleSince,
    groups,
    column((w) => w.change.at),
    column((w) => w.change.appId),
    column((w) => w.change.userId),
    column((w) => w.change.route),
    column((w) => w.change.requestId),
  ];
}
