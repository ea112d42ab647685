import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Worker } from 'node:worker_threads';
import type { AlertChangeContext, AlertWrite } from '../../domain/alerts/alert-ports.js';
import type { BulkLoadSink } from '../../domain/ports.js';
import { alertToRow } from '../alerts/alert-rows.js';
import { historyRow } from '../alerts/kysely-alert-store.js';
import { LOADED_TABLES } from '../loaded-tables.js';
import { machineToRow } from '../machine-rows.js';
import { ipRows } from '../machine-queries.js';
import { machineCountsBackfill } from '../migrations/0008-machine-counts.js';
import type { Database } from '../schema.js';
import type { BulkLoadData, FromWriter, ToWriter } from './bulk-load-protocol.js';
import { MachineStatements } from './machine-statements.js';
import { SqliteWrites } from './sqlite-writes.js';
import { startWorker } from './start-worker.js';
import { SyncExecutor } from './sync-executor.js';
import type { Statement, WriteOp } from './write-protocol.js';

/** True when no table a seed fills holds a row: the only state a bulk load starts from. */
export function loadedTablesEmpty(db: BetterSqlite3.Database): boolean {
  return LOADED_TABLES.every((table) => (db.prepare(`SELECT EXISTS (SELECT 1 FROM ${table}) AS found`).get() as { found: number }).found === 0);
}

/**
 * A seed into an empty SQLite store, loaded the way a database is restored rather than written
 * the way the server writes (issue 14): the secondary indexes and the count triggers of the
 * loaded tables are dropped, the rows go in in one transaction, then each index is built once
 * (a sort, instead of a million random inserts per index) and the counts are computed once.
 *
 * The definitions recreated are the ones read from sqlite_master at the start, that is, what the
 * migrations made: there is no second list of them to drift. The journal is switched from WAL to
 * a rollback journal for the load, so the gigabytes of new pages are written once (to the
 * database file, which a rollback journal never copies) instead of twice (to the WAL, then by a
 * checkpoint). All of it, the drops included, is one transaction: a load that is killed half-way
 * leaves a hot journal, and the next connection to open the file rolls it back to the empty,
 * fully indexed database it was. Nothing is ever left without its indexes.
 *
 * The rows are the store's own: its write operations (SqliteWrites) run here against an executor
 * that records their statements instead of running them, and a writer thread with its own
 * connection runs them (bulk-load-worker.ts), so generating rows and inserting them use both cores.
 */
export class SqliteBulkLoad {
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly path: string,
    private readonly kysely: Kysely<Database>,
  ) {}

  /**
   * Runs `load` in one transaction with the indexes set aside. Undefined, having run nothing,
   * when another connection holds the database (the journal cannot leave WAL then). The caller
   * has checked that the loaded tables are empty and that no write of its own is pending.
   */
  async run<T>(load: (sink: BulkLoadSink) => Promise<T>, onIndexed: (built: number, total: number) => void = () => {}): Promise<{ readonly value: T } | undefined> {
    const journal = String(this.db.pragma('journal_mode', { simple: true }));
    if (!this.leaveWal(journal)) return undefined;
    try {
      const backfill = machineCountsBackfill(this.kysely as unknown as Kysely<unknown>).compile();
      const data: BulkLoadData = { path: this.path, tables: LOADED_TABLES, backfill: { sql: backfill.sql, parameters: [...backfill.parameters] } };
      const writer = new WriterThread(startWorker('bulk-load-worker', data), onIndexed);
      await writer.ready;
      try {
        const value = await load(new RecordingSink(this.db, this.kysely, writer));
        await writer.finish();
        return { value };
      } catch (error) {
        await writer.abort();
        throw error;
      }
    } finally {
      if (journal === 'wal') {
        this.db.pragma('journal_mode = WAL');
        // The first read opens (creates) the WAL, which the group commit flushes by its own handle.
        this.db.prepare('SELECT count(*) FROM sqlite_master').get();
      }
    }
  }

  /** Switches a WAL database to a rollback journal; false when another connection prevents it. */
  private leaveWal(journal: string): boolean {
    if (journal !== 'wal') return true;
    try {
      return String(this.db.pragma('journal_mode = DELETE', { simple: true })) === 'delete';
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return false;
      throw error;
    }
  }
}

/**
 * Collects the statements the store's write operations would run. A read answers nothing: the
 * only read of those writes is putMachine's look-up of the machine it replaces, and a bulk load
 * starts from empty tables and writes each machine once.
 */
class RecordingExecutor extends SyncExecutor {
  private readonly texts = new Map<string, number>();
  private newTexts: string[] = [];
  private indexes: number[] = [];
  private parameters: (readonly unknown[])[] = [];

  override run(query: Statement): void {
    let index = this.texts.get(query.sql);
    if (index === undefined) {
      index = this.texts.size;
      this.texts.set(query.sql, index);
      this.newTexts.push(query.sql);
    }
    this.indexes.push(index);
    this.parameters.push(query.parameters);
  }

  override get<R>(): R | undefined {
    return undefined;
  }

  override all<R>(): R[] {
    throw new Error('a bulk load only writes');
  }

  /** What was recorded since the last call. */
  take(): { sql: string[]; statements: number[]; parameters: (readonly unknown[])[] } {
    const taken = { sql: this.newTexts, statements: this.indexes, parameters: this.parameters };
    this.newTexts = [];
    this.indexes = [];
    this.parameters = [];
    return taken;
  }
}

class RecordingSink implements BulkLoadSink {
  private readonly recorder: RecordingExecutor;
  private readonly writes: SqliteWrites;
  private alertSql: { readonly alert: string; readonly history: string } | undefined;

  constructor(
    db: BetterSqlite3.Database,
    private readonly kysely: Kysely<Database>,
    private readonly writer: WriterThread,
  ) {
    this.recorder = new RecordingExecutor(db);
    this.writes = new SqliteWrites(kysely, this.recorder, new MachineStatements(kysely, this.recorder));
  }

  putMachines(tenantId: string, machines: Parameters<BulkLoadSink['putMachines']>[1], change: Parameters<BulkLoadSink['putMachines']>[2]): Promise<void> {
    return this.send({ op: 'putMachines', rows: machines.map((m) => machineToRow(tenantId, m)), change });
  }

  putIpHistory(tenantId: string, entries: Parameters<BulkLoadSink['putIpHistory']>[1]): Promise<void> {
    return this.send({ op: 'putIpHistory', rows: ipRows(tenantId, entries) });
  }

  /**
   * The rows KyselyAlertStore.insertNewAlerts writes, one prepared statement per row: its
   * 500-row statements cost more to compile than to run. Kysely writes the SQL, once.
   */
  insertNewAlerts(writes: readonly AlertWrite[], context: AlertChangeContext): Promise<void> {
    for (const write of writes) {
      const alert = alertToRow(write.alert);
      const history = historyRow(write, context);
      this.alertSql ??= {
        alert: this.kysely.insertInto('alerts').values(alert).compile().sql,
        history: this.kysely.insertInto('alert_history').values(history).compile().sql,
      };
      this.recorder.run({ sql: this.alertSql.alert, parameters: Object.values(alert) });
      this.recorder.run({ sql: this.alertSql.history, parameters: Object.values(history) });
    }
    return this.writer.send(this.recorder.take());
  }

  private send(op: WriteOp): Promise<void> {
    this.writes.apply(op);
    return this.writer.send(this.recorder.take());
  }
}

/** The main thread's side of the writer thread: each batch acknowledged once run, failures told once. */
class WriterThread {
  readonly ready: Promise<void>;
  private readonly acks = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private seq = 0;
  private failure: Error | undefined;
  private ended: ((message: FromWriter) => void) | undefined;
  private readonly exited: Promise<void>;

  constructor(
    private readonly worker: Worker,
    onIndexed: (built: number, total: number) => void,
  ) {
    let started: { resolve(): void; reject(error: Error): void } | undefined;
    this.ready = new Promise((resolve, reject) => (started = { resolve, reject }));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: FromWriter) => {
      switch (message.kind) {
        case 'ready':
          return started?.resolve();
        case 'ack':
          this.acks.get(message.seq)?.resolve();
          this.acks.delete(message.seq);
          return;
        case 'indexed':
          return onIndexed(message.built, message.total);
        case 'failed':
          this.fail(new Error(`bulk load failed: ${message.message}`));
          return started?.reject(this.failure as Error);
        default:
          return this.ended?.(message);
      }
    });
    worker.on('error', (error) => {
      this.fail(error);
      started?.reject(error);
    });
    worker.once('exit', (code) => {
      this.fail(new Error(`the bulk load's writer thread exited with code ${code}`));
      started?.reject(this.failure as Error);
    });
  }

  send(batch: { sql: string[]; statements: number[]; parameters: (readonly unknown[])[] }): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      this.acks.set(seq, { resolve, reject });
      this.post({ kind: 'rows', seq, ...batch });
    });
  }

  /** Builds the indexes and commits; resolves once the writer has closed its connection. */
  async finish(): Promise<void> {
    const ended = this.end({ kind: 'finish' });
    const message = await ended;
    if (message.kind !== 'done') throw this.failure ?? new Error('the bulk load did not commit');
    await this.exited;
  }

  /** Rolls back (nothing of the load stays) and waits for the writer to close its connection. */
  async abort(): Promise<void> {
    if (!this.failure) await this.end({ kind: 'abort' }).catch(() => {});
    await this.exited;
  }

  private end(message: ToWriter): Promise<FromWriter> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<FromWriter>((resolve, reject) => {
      this.ended = resolve;
      this.acks.set(0, { resolve: () => {}, reject });
      this.post(message);
    });
  }

  private post(message: ToWriter): void {
    this.worker.postMessage(message);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const { reject } of this.acks.values()) reject(error);
    this.acks.clear();
  }
}
