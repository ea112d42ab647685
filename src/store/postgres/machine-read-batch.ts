import type { MachineScope } from '../../domain/ports.js';
import type { MachineRow } from '../schema.js';
import { MACHINE_COLUMNS } from '../sqlite/machine-row-values.js';
import { BatchQueue, settleByPosition, type BatchLimits, type Positioned, type Waiting } from './batch-queue.js';
import { scopeArrays, VISIBLE_TO_INPUT } from './batch-scope.js';

/*
 * Reads of machines by id on PostgreSQL, grouped (batch-queue.ts): GET /api/machines/{id} is the
 * API's most frequent call, and on PostgreSQL most of its cost in the instance is the driver's
 * per-query work (checking out a connection, writing the query, parsing the row description and
 * setting up a parser per column, the round trip), not the row. Reads that arrive while others
 * are running go together as one prepared statement; each keeps its own scope (tenant,
 * retention, device groups), so callers of different tenants may share a statement and still see
 * only their own machines.
 */

export interface MachineRead {
  readonly scope: MachineScope;
  readonly machineId: string;
}

/**
 * One statement at a time, of up to 256 ids: what arrives meanwhile waits one round trip at most.
 * bench:backends, GET with 50 connections: one instance served as many reads with one statement
 * in flight as with four, and two instances on one database 8,463 reads/s with one (4,677 with
 * four, their groups too small to share the driver's and the database's per-statement work).
 */
export const DEFAULT_READ_LIMITS: BatchLimits = { inFlight: 1, maxBatch: 256 };

/** Runs one named, prepared statement and returns its rows. */
export type RunRead = (name: string, text: string, values: unknown[]) => Promise<ReadRow[]>;

/** A visible machine's row and the position in the batch of the read it answers. */
export type ReadRow = Positioned<MachineRow>;

const STATEMENT_NAME = 'rampart_machines_by_id';
/* Named columns, not `m.*`: a later migration adding a column must not break the prepared statement. */
const STATEMENT = `
with input as (
  select ord, tenant_id collate "C" as tenant_id, id collate "C" as id, visible_since collate "C" as visible_since, groups::integer[] as groups
  from unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[]) as i(ord, tenant_id, id, visible_since, groups)
)
select ${MACHINE_COLUMNS.map((c) => `m.${c}`).join(', ')}, i.ord as batch_ord
from input i join machines m on m.tenant_id = i.tenant_id and m.id = i.id
where ${VISIBLE_TO_INPUT}`;

export class MachineReadBatcher {
  private readonly queue: BatchQueue<MachineRead, MachineRow | undefined>;

  constructor(
    private readonly run: RunRead,
    limits: BatchLimits = DEFAULT_READ_LIMITS,
  ) {
    this.queue = new BatchQueue((batch) => this.send(batch), limits);
  }

  /** The machine's row, or undefined when the caller may not see it (or it does not exist). */
  read(read: MachineRead): Promise<MachineRow | undefined> {
    return this.queue.add(read);
  }

  private async send(batch: readonly Waiting<MachineRead, MachineRow | undefined>[]): Promise<void> {
    const reads = batch.map((w) => w.item);
    const rows = await this.run(STATEMENT_NAME, STATEMENT, [reads.map((_, ord) => ord), ...readArrays(reads)]);
    settleByPosition(batch, rows);
  }
}

/** The statement's arrays after `ord`, in its order: tenants, ids, retention cutoffs, device groups. */
function readArrays(reads: readonly MachineRead[]): unknown[] {
  const [tenants, visibleSince, groups] = scopeArrays(reads.map((r) => r.scope));
  return [tenants, reads.map((r) => r.machineId), visibleSince, groups];
}
