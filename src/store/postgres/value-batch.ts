import type { DeviceValue } from '../../domain/machines/device-value.js';
import type { ChangeContext } from '../../domain/machines/value-change.js';
import type { MachineScope } from '../../domain/ports.js';
import { NO_WRITE_TELEMETRY, type WriteTelemetry } from '../../shared/write-telemetry.js';
import type { MachineRow } from '../schema.js';
import { MACHINE_COLUMNS } from '../sqlite/machine-row-values.js';

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

export interface BatchLimits {
  /** Batches written at once; the pool's other connections stay free for reads. */
  readonly inFlight: number;
  /** Changes per statement at most (1: a statement and a commit per change, as before issue 15). */
  readonly maxBatch: number;
}

/** Two statements at a time, of up to 256 changes each (eleven arrays of that many elements: a short transaction). */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { inFlight: 2, maxBatch: 256 };

export interface ValueWrite {
  readonly scope: MachineScope;
  readonly machineId: string;
  readonly deviceValue: DeviceValue;
  readonly change: ChangeContext;
}

/** Runs one parameterised statement (a named, prepared one: the text never changes) and returns its rows. */
export type RunStatement = (name: string, text: string, values: unknown[]) => Promise<BatchRow[]>;

/** A locked machine row as it was before the change, with the change's position in the batch. */
export type BatchRow = MachineRow & { readonly batch_ord: number };

interface Pending {
  readonly write: ValueWrite;
  readonly key: string;
  readonly resolve: (row: MachineRow | undefined) => void;
  readonly reject: (error: unknown) => void;
}

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
  where m.last_seen >= i.visible_since and (i.groups is null or m.rbac_group_id = any (i.groups))
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
  private readonly queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly run: RunStatement,
    private readonly limits: BatchLimits = DEFAULT_BATCH_LIMITS,
    private readonly telemetry: WriteTelemetry = NO_WRITE_TELEMETRY,
  ) {}

  /** The machine's row before the change (under the lock), or undefined when it is not visible. */
  write(write: ValueWrite): Promise<MachineRow | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, key: `${write.scope.tenantId}\u0000${write.machineId}`, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.limits.inFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The oldest changes, at most one per machine (later ones keep their place for the next batch). */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const keys = new Set<string>();
    const rest: Pending[] = [];
    for (const pending of this.queue) {
      if (batch.length < this.limits.maxBatch && !keys.has(pending.key)) {
        keys.add(pending.key);
        batch.push(pending);
      } else {
        rest.push(pending);
      }
    }
    this.queue.splice(0, this.queue.length, ...rest);
    return batch;
  }

  private async send(batch: readonly Pending[]): Promise<void> {
    let rows: BatchRow[];
    const started = performance.now();
    try {
      rows = await this.run(STATEMENT_NAME, STATEMENT, parameters(batch.map((p) => p.write)));
    } catch (error) {
      // When PostgreSQL refused the statement, its one transaction wrote nothing: a batch of
      // several is tried again change by change, so one change's failure (or a lost deadlock) is
      // that change's only. A lost connection leaves the commit unknown: trying again could write
      // a change twice, so those fail as they are, as a single change would.
      if (batch.length === 1 || !refusedByServer(error)) for (const p of batch) p.reject(error);
      else await Promise.all(batch.map((p) => this.send([p])));
      return;
    }
    reportCommit(this.telemetry, batch.length, started);
    const byOrd = new Map(rows.map((r) => [Number(r.batch_ord), r]));
    batch.forEach((p, ord) => {
      const row = byOrd.get(ord);
      if (!row) return p.resolve(undefined);
      const { batch_ord: _ord, ...machine } = row;
      p.resolve(machine);
    });
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

/** An error PostgreSQL reported for the statement (it carries a SQLSTATE and a severity), not a lost connection. */
const refusedByServer = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && typeof (error as { severity?: unknown }).severity === 'string';

/** The statement's eleven arrays, element `ord` of each describing change `ord`. */
function parameters(writes: readonly ValueWrite[]): unknown[] {
  const column = <T>(f: (w: ValueWrite) => T): T[] => writes.map(f);
  return [
    writes.map((_, ord) => ord),
    column((w) => w.scope.tenantId),
    column((w) => w.machineId),
    column((w) => w.deviceValue),
    column((w) => w.scope.visibleSince),
    // A PostgreSQL array literal of whole numbers (null: every group; '{}': none, so nothing is visible).
    column((w) => (w.scope.rbacGroupIds === null ? null : `{${w.scope.rbacGroupIds.map((g) => Math.trunc(g)).join(',')}}`)),
    column((w) => w.change.at),
    column((w) => w.change.appId),
    column((w) => w.change.userId),
    column((w) => w.change.route),
    column((w) => w.change.requestId),
  ];
}
