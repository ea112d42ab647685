import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { BulkLoadSink } from '../../domain/ports.js';
import { LOADED_TABLES } from '../loaded-tables.js';
import { machineCountsBackfill } from '../migrations/0008-machine-counts.js';
import type { Database } from '../schema.js';
import { JsonRowsSink, quote } from './bulk-insert.js';

/** Tables the database keeps from the loaded ones (triggers): analysed with them. */
const DERIVED_TABLES = ['machine_counts', 'machine_values'];

/** PostgreSQL's "lock_not_available": another session holds one of the loaded tables. */
const LOCK_NOT_AVAILABLE = '55P03';

interface SetAside {
  /** Secondary indexes as pg_get_indexdef writes them: recreated from this text, so there is no second list to drift. */
  readonly indexes: readonly { readonly name: string; readonly definition: string }[];
  readonly triggers: readonly { readonly name: string; readonly table: string }[];
}

/**
 * A seed into an empty PostgreSQL store, loaded the way a database is restored rather than
 * written the way the server writes: in one transaction, the loaded tables are locked, their
 * secondary indexes dropped and their row triggers (the machine counts of migration 0008)
 * disabled; the rows go in a few thousand a statement (bulk-insert.ts); then each index is built
 * once (a sort, instead of a million random inserts per index), the counts are computed once by
 * the migration's own backfill, and the triggers are enabled again. DDL is transactional here, so
 * a load that fails, or whose process is killed, rolls back to the empty, fully indexed tables it
 * started from.
 *
 * Kept as they are: the primary keys (dropping and adding them back saved nothing measurable at
 * 100,000 machines, docs/performance.md), and the statement triggers of migrations 0014 and 0017,
 * which bump the listing's versions and fill machine_values once a statement (a few thousand
 * machines each), as on the usual path, with no rule of theirs repeated here.
 */
export class PostgresBulkLoad {
  constructor(
    private readonly pool: pg.Pool,
    private readonly kysely: Kysely<Database>,
  ) {}

  /** Undefined, having written nothing, when a loaded table holds a row or another session uses one. */
  async run<T>(load: (sink: BulkLoadSink) => Promise<T>, onIndexed: (built: number, total: number) => void = () => {}): Promise<{ readonly value: T } | undefined> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      let loaded: { readonly value: T } | undefined;
      await client.query('BEGIN');
      try {
        loaded = await this.inTransaction(client, load, onIndexed);
        await client.query(loaded ? 'COMMIT' : 'ROLLBACK');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return undefined;
        throw error;
      }
      // Statistics for the planner (the indexes are new and the tables went from empty to full),
      // and the visibility map autovacuum would set some time later, if it is on: until then an
      // index-only scan still reads every row it finds from the table (a name-prefix page on a
      // million machines: 9 ms of database time instead of 6).
      if (loaded) await client.query(`VACUUM (ANALYZE) ${[...LOADED_TABLES, ...DERIVED_TABLES].join(', ')}`);
      return loaded;
    } finally {
      // A connection whose ROLLBACK failed is in no known state: it is closed, not pooled.
      client.release(broken);
    }
  }

  private async inTransaction<T>(client: pg.PoolClient, load: (sink: BulkLoadSink) => Promise<T>, onIndexed: (built: number, total: number) => void): Promise<{ readonly value: T } | undefined> {
    // The COMMIT does not wait for its WAL to reach the disk (a crash in that fraction of a second
    // loses a load that can simply be run again); the index builds sort in memory rather than on disk.
    await client.query(`SET LOCAL synchronous_commit = off`);
    await client.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    // A session using these tables now would make the load wait, and everything queued behind it: decline instead.
    await client.query(`LOCK TABLE ${LOADED_TABLES.join(', ')} IN ACCESS EXCLUSIVE MODE NOWAIT`);
    for (const table of LOADED_TABLES) {
      if ((await client.query(`SELECT 1 FROM ${table} LIMIT 1`)).rowCount) return undefined;
    }
    const aside = await setAside(client);
    const sink = new JsonRowsSink(client);
    let value: T;
    try {
      value = await load(sink);
    } catch (error) {
      // Nothing more may reach the connection once the caller rolls back: it would run outside the transaction.
      await sink.stop();
      throw error;
    }
    await sink.drain();
    for (const [i, index] of aside.indexes.entries()) {
      await client.query(index.definition);
      onIndexed(i + 1, aside.indexes.length);
    }
    const backfill = machineCountsBackfill(this.kysely as unknown as Kysely<unknown>).compile();
    await client.query(backfill.sql, [...backfill.parameters]);
    for (const { name, table } of aside.triggers) await client.query(`ALTER TABLE ${table} ENABLE TRIGGER ${quote(name)}`);
    return { value };
  }
}

/** Drops the loaded tables' secondary indexes and disables their row triggers; returns what to restore. */
async function setAside(client: pg.PoolClient): Promise<SetAside> {
  // Indexes that back a constraint (the primary keys) stay.
  const indexes = await client.query<{ name: string; definition: string }>(
    `select i.indexname as name, i.indexdef as definition
       from pg_indexes i
      where i.schemaname = current_schema() and i.tablename = any($1)
        and not exists (select 1 from pg_constraint k where k.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
      order by i.tablename, i.indexname`,
    [LOADED_TABLES],
  );
  // tgtype's lowest bit marks a row trigger; internal ones (constraints') are not ours to touch.
  const triggers = await client.query<{ name: string; table: string }>(
    `select t.tgname as name, c.relname as table
       from pg_trigger t join pg_class c on c.oid = t.tgrelid
      where c.relnamespace = current_schema()::regnamespace and c.relname = any($1)
        and not t.tgisinternal and t.tgenabled <> 'D' and t.tgtype & 1 = 1
      order by c.relname, t.tgname`,
    [LOADED_TABLES],
  );
  for (const { name } of indexes.rows) await client.query(`DROP INDEX ${quote(name)}`);
  for (const { name, table } of triggers.rows) await client.query(`ALTER TABLE ${table} DISABLE TRIGGER ${quote(name)}`);
  return { indexes: indexes.rows, triggers: triggers.rows };
}
