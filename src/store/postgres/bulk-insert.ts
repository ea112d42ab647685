import type pg from 'pg';
import type { AlertChangeContext, AlertWrite } from '../../domain/alerts/alert-ports.js';
import type { BulkLoadSink } from '../../domain/ports.js';
import { alertToRow } from '../alerts/alert-rows.js';
import { historyRow } from '../alerts/kysely-alert-store.js';
import type { LoadedTable } from '../loaded-tables.js';
import { machineToRow } from '../machine-rows.js';
import { ipRows } from '../machine-queries.js';
import { latestIpRows, machineTagRows } from '../machine-writes.js';

/** A PostgreSQL identifier, quoted (index and trigger names read from the catalog, column names). */
export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The rows of a seed, as the store's own mappers make them (the same rows putMachines,
 * putIpHistory and insertNewAlerts write), each call's rows of a table in one statement:
 * `INSERT ... SELECT ... FROM json_populate_recordset(null::machines, $1)`, the rows as one JSON
 * parameter, so a thousand machines are one round trip and one short statement, typed by the
 * table itself. Measured at 20,000 machines on 2 cores, this spent the least time on both sides:
 * JSON.stringify runs natively, where pg escapes each element of `unnest($1::text[], ...)`'s
 * arrays in JavaScript (node's CPU 4.7 to 5.4 s against 6.7 to 7.9 s with unnest, and 5.9 s with
 * multi-row VALUES of at most 65,535 parameters).
 * The statements queue, in call order, on the load's one connection; a call returns at once, so the seed
 * generates the next batch while the database writes this one.
 *
 * The tables start empty and a seed writes each machine once, so there is nothing to upsert
 * (no machine replaced, so no value-history entry) and plain inserts write what the usual path
 * writes. A failed statement aborts the transaction; the first failure is kept, since every
 * statement after it fails only with "current transaction is aborted".
 */
export class JsonRowsSink implements BulkLoadSink {
  private failure: unknown;
  /** Statement names by text: each distinct insert is parsed and planned once for the whole load. */
  private readonly names = new Map<string, string>();
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: pg.PoolClient) {}

  putMachines(tenantId: string, machines: Parameters<BulkLoadSink['putMachines']>[1]): Promise<void> {
    const rows = machines.map((m) => machineToRow(tenantId, m));
    return this.insert(['machines', rows], ['machine_tags', rows.flatMap(machineTagRows)]);
  }

  putIpHistory(tenantId: string, entries: Parameters<BulkLoadSink['putIpHistory']>[1]): Promise<void> {
    return this.insert(['machine_ip_history', latestIpRows(ipRows(tenantId, entries))]);
  }

  insertNewAlerts(writes: readonly AlertWrite[], context: AlertChangeContext): Promise<void> {
    // alert_history's seq is an identity: it follows the order the rows are given in, as it does row by row.
    return this.insert(['alerts', writes.map((w) => alertToRow(w.alert))], ['alert_history', writes.map((w) => historyRow(w, context))]);
  }

  /** Sends nothing more, and waits for the statement on the connection, if any. */
  async stop(): Promise<void> {
    this.failure ??= new Error('the bulk load was abandoned');
    await this.last.catch(() => {});
  }

  /** Waits for every statement queued so far; throws the load's first failure. */
  async drain(): Promise<void> {
    await this.last.catch(() => {});
    if (this.failure !== undefined) throw this.failure;
  }

  private insert(...tables: [LoadedTable, readonly object[]][]): Promise<void> {
    const sent = tables.filter(([, rows]) => rows.length > 0).map(([table, rows]) => this.send(table, rows));
    return Promise.all(sent).then(() => {});
  }

  private send(table: LoadedTable, rows: readonly object[]): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    // The mapper's keys are the columns: alert_history's seq is left to its identity.
    const columns = Object.keys(rows[0] as object).map(quote).join(', ');
    const text = `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM json_populate_recordset(null::${table}, $1::json)`;
    const values = [JSON.stringify(rows)];
    const name = this.names.get(text) ?? `rampart_bulk_${this.names.size}`;
    this.names.set(text, name);
    // One statement at a time on the connection (pg no longer queues them itself), in call order.
    const sent = this.last.then(() => (this.failure !== undefined ? Promise.reject(this.failure) : this.client.query({ name, text, values })));
    this.last = sent.catch((error: unknown) => {
      this.failure ??= error;
    });
    // The caller may stop listening after a failure (it has its own): this copy is never unhandled.
    sent.catch(() => {});
    return sent;
  }
}

