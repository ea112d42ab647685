import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { BulkLoadSink } from '../../domain/ports.js';
import type { AlertChangeContext, AlertWrite } from '../../domain/alerts/alert-ports.js';
import { alertToRow } from '../alerts/alert-rows.js';
import { historyRow } from '../alerts/kysely-alert-store.js';
import { machineToRow } from '../machine-rows.js';
import { ipRows } from '../machine-queries.js';
import { machineCountsBackfill } from '../migrations/0008-machine-counts.js';
import type { Database } from '../schema.js';
import type { Statement, WriteOp } from './write-protocol.js';

/** The tables a seed fills. A bulk load runs only while every one of them is empty. */
export const LOADED_TABLES = ['machines', 'machine_tags', 'machine_ip_history', 'alerts', 'alert_history'] as const;
/** Longest the load holds the event loop before it lets timers (the progress bar) run. */
const TURN_MS = 100;
/**
 * Page cache for the load, in KiB. The alerts' primary key is random (alert ids start with their
 * creation time, not the machine's id), and its index cannot be set aside: with SQLite's default
 * 2 MB cache each alert's insert read and wrote a page of it through the kernel.
 */
const LOAD_CACHE_KIB = 256 * 1024;

interface SchemaObject {
  readonly type: 'index' | 'trigger';
  readonly name: string;
  readonly sql: string;
}

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
 */
export class SqliteBulkLoad {
  private tail: Promise<void> = Promise.resolve();
  private yieldedAt = 0;
  private failure: unknown;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly kysely: Kysely<Database>,
    /** The store's own write operations (SqliteWrites.apply): the rows are the ones it writes. */
    private readonly apply: (op: WriteOp) => void,
  ) {}

  /**
   * Runs `load` in one transaction with the indexes set aside. Undefined, having run nothing,
   * when another connection holds the database (the journal cannot leave WAL then). The caller
   * has checked that the loaded tables are empty and that no write of its own is pending.
   */
  async run<T>(load: (sink: BulkLoadSink) => Promise<T>): Promise<{ readonly value: T } | undefined> {
    const db = this.db;
    const journal = String(db.pragma('journal_mode', { simple: true }));
    const cache = db.pragma('cache_size', { simple: true }) as number;
    const synchronous = db.pragma('synchronous', { simple: true }) as number;
    if (!this.leaveWal(journal)) return undefined;
    try {
      db.pragma(`cache_size = -${LOAD_CACHE_KIB}`);
      // A rollback journal with FULL: the few pages journaled (the schema, the dropped indexes'
      // roots) are flushed before the database is written over, and COMMIT flushes the file.
      db.pragma('synchronous = FULL');
      db.exec('BEGIN IMMEDIATE');
      try {
        const setAside = this.setAside();
        const value = await load(this.sink());
        await this.tail;
        if (this.failure !== undefined) throw this.failure;
        this.restore(setAside);
        db.exec('COMMIT');
        return { value };
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      db.pragma(`cache_size = ${cache}`);
      db.pragma(`synchronous = ${synchronous}`);
      if (journal === 'wal') {
        db.pragma('journal_mode = WAL');
        // The first read opens (creates) the WAL, which the group commit flushes by its own handle.
        db.prepare('SELECT count(*) FROM sqlite_master').get();
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

  /** Drops the loaded tables' own indexes and triggers (not their keys), returning their definitions. */
  private setAside(): SchemaObject[] {
    const placeholders = LOADED_TABLES.map(() => '?').join(', ');
    const objects = this.db
      .prepare(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (${placeholders}) ORDER BY rowid`)
      .all(...LOADED_TABLES) as SchemaObject[];
    for (const o of objects) this.db.exec(`DROP ${o.type === 'index' ? 'INDEX' : 'TRIGGER'} "${o.name}"`);
    // Every count is zero while there are no machines; they are computed afresh at the end.
    this.db.exec('DELETE FROM machine_counts');
    return objects;
  }

  /** Builds each index once over the loaded rows, counts the machines, and puts the triggers back. */
  private restore(objects: readonly SchemaObject[]): void {
    for (const o of objects) if (o.type === 'index') this.db.exec(o.sql);
    const backfill = machineCountsBackfill(this.kysely as unknown as Kysely<unknown>).compile();
    this.db.prepare(backfill.sql).run(...backfill.parameters);
    for (const o of objects) if (o.type === 'trigger') this.db.exec(o.sql);
  }

  private sink(): BulkLoadSink {
    return {
      putMachines: (tenantId, machines, change) => this.enqueue(() => ({ op: 'putMachines', rows: machines.map((m) => machineToRow(tenantId, m)), change })),
      putIpHistory: (tenantId, entries) => this.enqueue(() => ({ op: 'putIpHistory', rows: ipRows(tenantId, entries) })),
      insertNewAlerts: (writes, context) => this.enqueue(() => ({ op: 'exec', statements: writes.flatMap((w) => this.alertInserts(w, context)) })),
    };
  }

  private alertSql: { readonly alert: string; readonly history: string } | undefined;

  /**
   * The rows KyselyAlertStore.insertNewAlerts writes, one prepared statement per row: its
   * 500-row statements cost more to compile than to run. Kysely writes the SQL, once.
   */
  private alertInserts(write: AlertWrite, context: AlertChangeContext): Statement[] {
    const alert = alertToRow(write.alert);
    const history = historyRow(write, context);
    this.alertSql ??= {
      alert: this.kysely.insertInto('alerts').values(alert).compile().sql,
      history: this.kysely.insertInto('alert_history').values(history).compile().sql,
    };
    return [
      { sql: this.alertSql.alert, parameters: Object.values(alert) },
      { sql: this.alertSql.history, parameters: Object.values(history) },
    ];
  }

  /**
   * Writes run one after another, each in its own turn, as the group commit would run them: a
   * caller may queue a batch of writes at once, and the progress bar still moves between them.
   */
  private enqueue(op: WriteOp | (() => WriteOp)): Promise<void> {
    const write = this.tail.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      try {
        this.apply(typeof op === 'function' ? op() : op);
      } catch (error) {
        this.failure = error;
        throw error;
      }
      if (performance.now() - this.yieldedAt > TURN_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        this.yieldedAt = performance.now();
      }
    });
    // The chain itself never rejects: each caller sees its own write's failure, and run() the first.
    this.tail = write.catch(() => {});
    return write;
  }
}
