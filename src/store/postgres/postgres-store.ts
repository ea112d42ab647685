import { sql, type CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type pg from 'pg';
import type { DeviceValue } from '../../domain/machines/device-value.js';
import type { IpAssignment, IpSearch } from '../../domain/machines/ip-history.js';
import type { Machine } from '../../domain/machines/machine.js';
import type { MachineFilter, MachinePage, MachinePropertyName } from '../../domain/machines/machine-query.js';
import type { BulkLoader, BulkLoadSink, MachineScope, MachineUpdate, MachineUpdateResult, Store } from '../../domain/ports.js';
import type { ChangeContext } from '../../domain/machines/value-change.js';
import { invalidInput } from '../../domain/errors.js';
import { KyselyStore } from '../kysely-store.js';
import { machineJson } from '../machine-json-sql.js';
import { countMachinesQuery, ipRows, machinesByIpQuery } from '../machine-queries.js';
import { machineToRow, rowToMachine } from '../machine-rows.js';
import { inScope } from '../machine-scope.js';
import { ipUpsert, latestIpRows, machineTagRows, machineUpsert, planUpdate, valueChangeInsert, valueTransition, type ValueTransition } from '../machine-writes.js';
import { migrateToLatest } from '../migrate.js';
import { anyTagNodes } from '../query-compiler.js';
import { countOfValues, valuesAllowed } from '../../domain/machines/value-filter.js';
import type { Database, MachineRow } from '../schema.js';
import { PostgresBulkLoad } from './bulk-load.js';
import { describePostgresUrl } from './postgres-url.js';
import { kyselyOver, newBatchPool, newPool } from './pool.js';
import { DEFAULT_READ_LIMITS, MachineReadBatcher, type ReadRow } from './machine-read-batch.js';
import { PostgresPages } from './postgres-pages.js';
import { NO_WRITE_TELEMETRY, type WriteTelemetry } from '../../shared/write-telemetry.js';
import { DEFAULT_BATCH_LIMITS, reportCommit, ValueWriteBatcher, type BatchLimits, type BatchRow } from './value-batch.js';

/** Rows loaded before bulk loads start to refresh planner statistics. */
const ANALYZE_MIN_ROWS = 10_000;
/** Machines per transaction of putMachines: 34 parameters each, well under PostgreSQL's 65535. */
const PUT_BATCH = 1000;
/** Rows per multi-row insert of tags, addresses and history entries (3 to 9 parameters each). */
const ROWS_PER_INSERT = 5000;

export interface PostgresOptions {
  /** Connections in the pool. */
  readonly poolSize?: number;
  /** Told each committed group of machine writes (a COMMIT is its flush) and the pool's use (/metrics). */
  readonly telemetry?: WriteTelemetry;
  /** How device-value changes are grouped (value-batch.ts); set by benches comparing with one statement per change. */
  readonly valueBatch?: BatchLimits;
}

/**
 * The PostgreSQL backend: many instances may share one database. Every write is one transaction,
 * durable when its COMMIT returns (synchronous_commit stays on). A machine update locks the
 * machine's row first (SELECT ... FOR UPDATE), so concurrent writers of one machine, through any
 * instance, queue behind each other: none loses an update, and each value-history entry's old
 * value is the previous entry's new value, in seq order (docs/adr/0006-postgresql-store.md).
 */
export class PostgresStore extends KyselyStore implements Store, BulkLoader {
  private open = true;
  private bulkRows = 0;
  private analyzedRows = 0;

  private readonly values: ValueWriteBatcher;
  private readonly pages: PostgresPages;
  private readonly reads: MachineReadBatcher;

  private constructor(
    db: Kysely<Database>,
    private readonly pool: pg.Pool,
    /** Connections of the batched statements (pool.ts says why they are apart). */
    private readonly batchPool: pg.Pool,
    batch: BatchLimits,
    private readonly telemetry: WriteTelemetry,
  ) {
    super(db);
    this.pages = new PostgresPages(db, (query) => !query.parameters.some(holdsNul));
    this.values = new ValueWriteBatcher(async (name, text, values) => (await batchPool.query<BatchRow>({ name, text, values })).rows, batch, telemetry);
    this.reads = new MachineReadBatcher(async (name, text, values) => (await batchPool.query<ReadRow>({ name, text, values })).rows, DEFAULT_READ_LIMITS);
  }

  /** Connects, brings the schema to the newest migration (under Kysely's migration lock) and returns the store. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const max = options.poolSize ?? 10;
    const pool = newPool(url, max);
    const db = kyselyOver(pool);
    try {
      await sql`select 1`.execute(db).catch((error: unknown) => {
        throw new Error(`cannot connect to PostgreSQL at ${describePostgresUrl(url)}: ${error instanceof Error ? error.message : String(error)}`);
      });
      await migrateToLatest(db as Kysely<unknown>);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    const telemetry = options.telemetry ?? NO_WRITE_TELEMETRY;
    telemetry.watchPool(() => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }));
    const batch = options.valueBatch ?? DEFAULT_BATCH_LIMITS;
    // One connection per statement the two batchers may have running at once.
    const batchPool = newBatchPool(url, batch.inFlight + DEFAULT_READ_LIMITS.inFlight);
    return new PostgresStore(db, pool, batchPool, batch, telemetry);
  }

  get healthy(): boolean {
    return this.open;
  }

  async close(): Promise<void> {
    if (!this.open) return;
    if (this.bulkRows >= ANALYZE_MIN_ROWS) await this.analyze().catch(() => {});
    this.open = false;
    // Both wait for checked-out connections, so running writes commit first.
    await Promise.all([this.db.destroy(), this.batchPool.end()]);
  }

  // --- machine writes -------------------------------------------------------------------

  async update(update: MachineUpdate): Promise<MachineUpdateResult | undefined> {
    // The value batcher reports each group it commits; any other machine write is a group of one.
    if (update.machineTags === undefined && update.group === undefined && update.deviceValue !== undefined) {
      return this.setValue(update, update.deviceValue);
    }
    const started = performance.now();
    const result = await this.db.transaction().execute(async (trx) => {
      const locked = inScope(this.db.selectFrom('machines').selectAll(), update.scope).where('id', '=', update.machineId).forUpdate();
      const current = (await run(trx, locked.compile())).rows[0];
      if (!current) return undefined;
      const plan = planUpdate(this.db, current, update);
      for (const statement of plan.statements) await run(trx, statement);
      return { machine: rowToMachine(plan.row), previousDeviceValue: plan.previousDeviceValue as DeviceValue };
    });
    reportCommit(this.telemetry, 1, started);
    return result;
  }

  /**
   * A value-only change (setDeviceValue, the hot path) goes with the changes arriving meanwhile:
   * one statement locks the visible rows, updates them and appends their history entries, whose
   * old value is each locked row's (none when it already had the value: value-batch.ts). Under a concurrent writer, FOR UPDATE waits
   * and then reads the row as that writer left it, so the entries still chain.
   */
  private async setValue(update: MachineUpdate, deviceValue: DeviceValue): Promise<MachineUpdateResult | undefined> {
    const { scope, machineId, change } = update;
    // As every lookup here: a key holding NUL names nothing stored (see `all`).
    if ([scope.tenantId, machineId, change.appId, change.userId, change.requestId].some(holdsNul)) return undefined;
    const current = await this.values.write({ scope, machineId, deviceValue, change });
    if (!current) return undefined;
    return { machine: rowToMachine({ ...current, device_value: deviceValue }), previousDeviceValue: current.device_value as DeviceValue };
  }

  // --- machine reads --------------------------------------------------------------------

  /** GET by id, the hottest read: grouped with the reads arriving meanwhile (machine-read-batch.ts). */
  override async getById(scope: MachineScope, id: string): Promise<Machine | undefined> {
    if ([scope.tenantId, id].some(holdsNul)) return undefined;
    const row = await this.reads.read({ scope, machineId: id });
    return row && rowToMachine(row);
  }

  async putMachines(tenantId: string, machines: readonly Machine[], change: ChangeContext): Promise<void> {
    for (const batch of batches(machines.map((m) => machineToRow(tenantId, m)))) {
      await this.db.transaction().execute((trx) => this.putBatch(trx, tenantId, batch, change));
    }
    await this.noteBulkWrite(machines.length);
  }

  /**
   * A seed into a store whose machine and alert tables are empty: one transaction with the
   * indexes and count triggers set aside (bulk-load.ts). Undefined, having written nothing, when
   * a table holds rows or another session is using one; the caller then writes the usual way.
   */
  bulkLoad<T>(load: (sink: BulkLoadSink) => Promise<T>, onIndexed?: (built: number, total: number) => void): Promise<{ readonly value: T } | undefined> {
    return new PostgresBulkLoad(this.pool, this.db).run(load, onIndexed);
  }

  /**
   * Planner statistics after bulk loads (seed, import): autovacuum may be off or late, and a
   * planner that believes `machines` is empty picks scans that take seconds on a million rows.
   * ANALYZE whenever the rows loaded since the last one outnumber those before it (so a long
   * seed analyzes a logarithmic number of times), and when the store closes after a load.
   */
  private async noteBulkWrite(rows: number): Promise<void> {
    this.bulkRows += rows;
    if (this.bulkRows >= Math.max(ANALYZE_MIN_ROWS, this.analyzedRows)) await this.analyze();
  }

  private async analyze(): Promise<void> {
    // Alerts are seeded beside their machines (in the same proportion at every ANALYZE): without
    // their statistics the planner sorts a whole time window for XSOAR's status-filtered fetch
    // instead of walking the creation-time index for one page.
    await sql`analyze machines, machine_values, machine_tags, machine_ip_history, machine_counts, alerts`.execute(this.db);
    this.analyzedRows += this.bulkRows;
    this.bulkRows = 0;
  }

  /**
   * One batch of distinct machines, in id order (concurrent batches then lock in the same order
   * and cannot deadlock): the rows that exist are locked to read the value they had, then every
   * row is written, tags replaced, and a history entry added where the value changed.
   */
  private async putBatch(trx: Transaction<Database>, tenantId: string, rows: readonly MachineRow[], change: ChangeContext): Promise<void> {
    const ids = rows.map((r) => r.id);
    const existing = this.db.selectFrom('machines').select(['id', 'device_value']).where('tenant_id', '=', tenantId).where('id', 'in', ids).orderBy('id').forUpdate();
    const before = new Map((await run(trx, existing.compile())).rows.map((r) => [r.id, r.device_value]));
    await run(trx, machineUpsert(this.db, rows));
    if (before.size > 0) await run(trx, this.db.deleteFrom('machine_tags').where('tenant_id', '=', tenantId).where('machine_id', 'in', [...before.keys()]).compile());
    const tags = rows.flatMap(machineTagRows);
    for (const chunk of chunks(tags)) await run(trx, this.db.insertInto('machine_tags').values(chunk).compile());
    const transitions = rows.map((r) => valueTransition(r, before.get(r.id))).filter((t): t is ValueTransition => t !== undefined);
    for (const chunk of chunks(transitions)) await run(trx, valueChangeInsert(this.db, chunk, change));
  }

  async putIpHistory(tenantId: string, entries: readonly IpAssignment[]): Promise<void> {
    for (const chunk of chunks(latestIpRows(ipRows(tenantId, entries)))) await this.exec(ipUpsert(this.db, chunk));
  }

  // --- inventory (OData listing, address history) ---------------------------------------

  /*
   * Every any() of a filter reads the tag index first (`id IN (tagged ids)`): PostgreSQL's planner
   * turns that into a semi-join or a hashed subplan as the numbers suggest, so the SQLite store's
   * probe of each tag's frequency is not needed here.
   */

  async listMachines(scope: MachineScope, page: MachinePage): Promise<Machine[]> {
    return (await this.pages.read(scope, page, (q) => q.selectAll('machines'))).map(rowToMachine);
  }

  async listMachineJson(scope: MachineScope, page: MachinePage, select: readonly MachinePropertyName[] | null): Promise<string[]> {
    return (await this.pages.read(scope, page, (q) => q.select(['machines.id', machineJson(this.db, select).as('json')]))).map((r) => r.json);
  }

  async countMatching(scope: MachineScope, filter: MachineFilter | null): Promise<number> {
    return (await this.countFromValueCounts(scope, filter)) ?? Number((await this.one(countMachinesQuery(this.db, scope, filter, new Set(anyTagNodes(filter)))))?.n ?? 0);
  }

  override async countMatchingUpTo(scope: MachineScope, filter: MachineFilter | null, limit: number): Promise<number> {
    const exact = await this.countFromValueCounts(scope, filter);
    return exact === undefined ? super.countMatchingUpTo(scope, filter, limit) : Math.min(exact, limit);
  }

  /**
   * A filter on device values alone (`$filter=deviceValue eq 'High'`, a value rule's, the
   * console's export) is counted from the per-value counts (value-filter.ts): no index of
   * machines holds the value here (migration 0017), so counting its matches would read them
   * (100-140 ms on a million machines). Undefined for any other filter.
   */
  private async countFromValueCounts(scope: MachineScope, filter: MachineFilter | null): Promise<number | undefined> {
    const values = valuesAllowed(filter);
    return values && countOfValues(values, await this.countByDeviceValue(scope));
  }

  async machinesByIp(scope: MachineScope, search: IpSearch, limit: number): Promise<Machine[]> {
    return (await this.all(machinesByIpQuery(this.db, scope, search.ipAddress, search.from, search.to, limit))).map(rowToMachine);
  }

  // --- plumbing -------------------------------------------------------------------------

  /** A transaction-scoped advisory lock: two instances replacing one tenant's set take turns. */
  protected override serialized(key: string): CompiledQuery[] {
    return [sql`select pg_advisory_xact_lock(hashtext(${key}))`.compile(this.db)];
  }

  protected async all<R>(query: CompiledQuery<R>): Promise<R[]> {
    // COMPAT: PostgreSQL text cannot hold NUL, so nothing stored equals a key containing one (a
    // hostile token's tid, a %00 in a path): such a lookup finds nothing, as it does on SQLite,
    // instead of failing with an encoding error (docs/compat.md).
    if (query.parameters.some(holdsNul)) return [];
    return [...(await this.db.executeQuery(query)).rows];
  }

  protected async exec(...statements: CompiledQuery[]): Promise<void> {
    if (statements.some((s) => s.parameters.some(holdsNul))) throw NUL_REFUSED();
    if (statements.length === 1) {
      await this.db.executeQuery(statements[0] as CompiledQuery);
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      for (const statement of statements) await trx.executeQuery(statement);
    });
  }
}

/** Batches of at most PUT_BATCH rows, sorted by id, no id twice in a batch (a later duplicate starts the next). */
function* batches(rows: readonly MachineRow[]): Iterable<MachineRow[]> {
  let batch = new Map<string, MachineRow>();
  const flush = () => [...batch.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const row of rows) {
    if (batch.size >= PUT_BATCH || batch.has(row.id)) {
      yield flush();
      batch = new Map();
    }
    batch.set(row.id, row);
  }
  if (batch.size > 0) yield flush();
}

function* chunks<T>(items: readonly T[]): Iterable<T[]> {
  for (let i = 0; i < items.length; i += ROWS_PER_INSERT) yield items.slice(i, i + ROWS_PER_INSERT);
}

/**
 * COMPAT: PostgreSQL text cannot hold U+0000. A value to be written that holds one (a tenant's
 * name, a fault rule's id, an imported field) is refused as invalid input, a 400 where the API
 * answers, rather than failing in the database as a 500 (docs/compat.md).
 */
const holdsNul = (value: unknown): boolean => typeof value === 'string' && value.includes('\u0000');
const NUL_REFUSED = () => invalidInput('Text values must not contain the NUL character (U+0000).');

/** One statement of a write transaction; one that would write a NUL is refused, and the transaction with it. */
function run<R>(trx: Transaction<Database>, query: CompiledQuery<R>) {
  if (query.parameters.some(holdsNul)) throw NUL_REFUSED();
  return trx.executeQuery(query);
}
