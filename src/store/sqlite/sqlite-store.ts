import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CompiledQuery, Kysely } from 'kysely';
import type { DeviceValue } from '../../domain/machines/device-value.js';
import type { Machine } from '../../domain/machines/machine.js';
import type { IpAssignment, IpSearch } from '../../domain/machines/ip-history.js';
import type { MachineFilter, MachinePage, MachinePropertyName } from '../../domain/machines/machine-query.js';
import type { BulkLoader, BulkLoadSink, MachineScope, MachineUpdate, MachineUpdateResult, Store } from '../../domain/ports.js';
import type { ChangeContext } from '../../domain/machines/value-change.js';
import { KyselyStore } from '../kysely-store.js';
import { machineToRow, rowToMachine } from '../machine-rows.js';
import { migrateToLatest } from '../migrate.js';
import type { Database } from '../schema.js';
import { loadedTablesEmpty, SqliteBulkLoad } from './bulk-load.js';
import { Checkpointer } from './checkpointer.js';
import { openSqlite, type Durability } from './connection.js';
import { GroupCommit } from './group-commit.js';
import type { WriteTelemetry } from '../../shared/write-telemetry.js';
import { MachineStatements } from './machine-statements.js';
import { SqliteInventory } from './sqlite-inventory.js';
import { SqliteWrites } from './sqlite-writes.js';
import { SyncExecutor } from './sync-executor.js';
import type { WriteOp } from './write-protocol.js';

// About 0.1 s of the event loop per batch (with the group commit on the main thread, ADR 0007).
const PUT_BATCH = 500;

/**
 * The embedded backend: one connection on the calling thread, in WAL mode. Reads run on it
 * synchronously; writes are group-committed on it (group-commit.ts) and flushed off the event
 * loop, and a checkpoint thread copies the WAL into the database file (docs/adr/0007). The
 * queries both backends share are in KyselyStore.
 */
export class SqliteStore extends KyselyStore implements Store, BulkLoader {
  private readonly inventory: SqliteInventory;

  private writes: GroupCommit;
  /** Commits of group commits stopped for a bulk load: this connection's commits keep counting up. */
  private earlierCommits = 0;

  private constructor(
    db: Kysely<Database>,
    private readonly read: SyncExecutor,
    private readonly statements: MachineStatements,
    /** The database file; undefined in memory, where no other thread can open it (no bulk load). */
    private readonly path: string | undefined,
    private readonly startWrites: () => GroupCommit,
  ) {
    super(db);
    this.writes = startWrites();
    // SQLite's data_version counts the commits of other connections only: add this one's.
    const dataVersion = () => (read.db.pragma('data_version', { simple: true }) as number) + this.earlierCommits + this.writes.commits;
    this.inventory = new SqliteInventory(db, read, (op) => this.write(op), dataVersion);
  }

  static async open(path: string, durability: Durability = 'full', telemetry?: WriteTelemetry): Promise<SqliteStore> {
    const onDisk = path !== ':memory:';
    if (onDisk) mkdirSync(dirname(path), { recursive: true });
    const { raw, kysely } = openSqlite(path);
    await migrateToLatest(kysely as Kysely<unknown>);
    const read = new SyncExecutor(raw);
    const statements = new MachineStatements(kysely, read);
    const applier = new SqliteWrites(kysely, read, statements);
    const startWrites = () => {
      // From here on the group commit flushes the WAL and the checkpoint thread checkpoints.
      raw.pragma('wal_autocheckpoint = 0');
      raw.pragma('synchronous = OFF');
      return new GroupCommit({
        db: raw,
        apply: (op) => applier.apply(op),
        weight: SqliteWrites.weight,
        walPath: onDisk && durability === 'full' ? `${path}-wal` : undefined,
        checkpointer: onDisk ? new Checkpointer({ path }) : undefined,
        ...(telemetry ? { telemetry } : {}),
      });
    };
    const store = new SqliteStore(kysely, read, statements, onDisk ? path : undefined, startWrites);
    await store.inventory.refreshStatistics(false);
    return store;
  }

  get healthy(): boolean {
    return this.writes.healthy;
  }

  async close(): Promise<void> {
    if (this.writes.healthy) await this.inventory.refreshStatistics(false);
    await this.writes.close();
    this.read.db.close();
  }

  // --- machines: the hot paths, precompiled ---------------------------------------------

  override async getById(scope: MachineScope, id: string): Promise<Machine | undefined> {
    const row = this.statements.machineById(scope, id);
    return row && rowToMachine(row);
  }

  // --- machine writes (the group commit) ------------------------------------------------

  async update(update: MachineUpdate): Promise<MachineUpdateResult | undefined> {
    const outcome = await this.write({ op: 'update', update });
    return (
      outcome && { machine: rowToMachine(outcome.row), previousDeviceValue: outcome.previousDeviceValue as DeviceValue }
    );
  }

  async putMachines(tenantId: string, machines: readonly Machine[], change: ChangeContext): Promise<void> {
    const writes: Promise<unknown>[] = [];
    this.inventory.noteBulkWrite(machines.length);
    for (let i = 0; i < machines.length; i += PUT_BATCH) {
      const rows = machines.slice(i, i + PUT_BATCH).map((m) => machineToRow(tenantId, m));
      writes.push(this.write({ op: 'putMachines', rows, change }));
    }
    await Promise.all(writes);
  }

  /**
   * A seed into a store without machines or alerts, loaded in one transaction with the indexes
   * built at the end (bulk-load.ts). The group commit and its checkpoint thread stop meanwhile:
   * a writer thread's connection alone writes, outside them, and they start again, on a WAL, afterwards.
   */
  async bulkLoad<T>(load: (sink: BulkLoadSink) => Promise<T>, onIndexed?: (built: number, total: number) => void): Promise<{ readonly value: T } | undefined> {
    if (this.path === undefined || !loadedTablesEmpty(this.read.db)) return undefined;
    await this.writes.close();
    this.earlierCommits += this.writes.commits + 1;
    let loaded: { readonly value: T } | undefined;
    try {
      loaded = await new SqliteBulkLoad(this.read.db, this.path, this.db).run(load, onIndexed);
    } finally {
      this.writes = this.startWrites();
    }
    if (loaded) {
      // The indexes were rebuilt without statistics, and a planner without them walks a million
      // rows for a filtered page (a rule's preview took 12 s right after a seed): sampled ones
      // now, within a second, and the full ANALYZE when the store closes.
      await this.inventory.sampleStatistics();
      this.inventory.noteBulkWrite(Number.MAX_SAFE_INTEGER);
    }
    return loaded;
  }

  // --- inventory (OData listing, address history) ---------------------------------------

  async listMachines(scope: MachineScope, page: MachinePage): Promise<Machine[]> {
    return this.inventory.listMachines(scope, page);
  }

  async listMachineJson(scope: MachineScope, page: MachinePage, select: readonly MachinePropertyName[] | null): Promise<string[]> {
    return this.inventory.listMachineJson(scope, page, select);
  }

  async countMatching(scope: MachineScope, filter: MachineFilter | null): Promise<number> {
    return this.inventory.countMatching(scope, filter);
  }

  async putIpHistory(tenantId: string, entries: readonly IpAssignment[]): Promise<void> {
    return this.inventory.putIpHistory(tenantId, entries);
  }

  async machinesByIp(scope: MachineScope, search: IpSearch, limit: number): Promise<Machine[]> {
    return this.inventory.machinesByIp(scope, search, limit);
  }

  // --- plumbing -------------------------------------------------------------------------

  protected all<R>(query: CompiledQuery<R>): R[] {
    return this.read.all(query);
  }

  protected override async arrays(query: CompiledQuery): Promise<unknown[][]> {
    return this.read.arrays(query);
  }

  protected async exec(...statements: CompiledQuery[]): Promise<void> {
    await this.write({ op: 'exec', statements: statements.map((s) => ({ sql: s.sql, parameters: [...s.parameters] })) });
  }

  private async write(op: WriteOp) {
    const result = await this.writes.submit(op);
    if (!result.ok) throw new Error(`write failed: ${result.message}`);
    return result.value;
  }
}
