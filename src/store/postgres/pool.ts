import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.js';

/**
 * A connection pool that survives its connections being cut (a database restart, a failover,
 * `DROP DATABASE ... WITH (FORCE)`): a cut idle connection is dropped and replaced, and one cut
 * while a query runs fails that query. Without these listeners the 'error' event of a
 * connection that is closing or idle would be unhandled and end the process.
 */
export function newPool(url: string, max: number, settings: Readonly<Record<string, string>> = {}): pg.Pool {
  // Session settings go in the startup packet: every connection has them from its first statement.
  const options = Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`).join(' ');
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000, ...(options ? { options } : {}) });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Connections for the batched statements only (value-batch.ts, machine-read-batch.ts), which
 * always plan generically. A named statement's parameters are arrays whose length PostgreSQL's
 * cost model cannot see, so with the default plan cache mode it may keep planning every
 * execution anew: on machines, with 15 indexes, that planning was 150-180 us of a 210-220 us read
 * of one machine (43-73 us with the generic plan, measured on 300 and on 1,000,000 machines). The
 * generic plan, a nested loop over the input by primary key, is the right plan for any batch.
 * Every other statement runs on the main pool, planned for its values.
 */
export const newBatchPool = (url: string, max: number): pg.Pool => newPool(url, max, { plan_cache_mode: 'force_generic_plan' });

/** Kysely over its own pool of `max` connections. */
export const connectKysely = (url: string, max: number): Kysely<Database> => kyselyOver(newPool(url, max));

/** Kysely over a pool the caller also uses directly (named, prepared statements; its use for /metrics); destroying it ends the pool. */
export const kyselyOver = (pool: pg.Pool): Kysely<Database> => new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
