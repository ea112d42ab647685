import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.js';

/**
 * A connection pool that survives its connections being cut (a database restart, a failover,
 * `DROP DATABASE ... WITH (FORCE)`): a cut idle connection is dropped and replaced, and one cut
 * while a query runs fails that query. Without these listeners the 'error' event of a
 * connection that is closing or idle would be unhandled and end the process.
 */
export function newPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Kysely over its own pool of `max` connections. */
export const connectKysely = (url: string, max: number): Kysely<Database> => kyselyOver(newPool(url, max));

/** Kysely over a pool the caller also uses directly (named, prepared statements; its use for /metrics); destroying it ends the pool. */
export const kyselyOver = (pool: pg.Pool): Kysely<Database> => new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
