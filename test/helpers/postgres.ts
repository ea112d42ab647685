/**
 * Throwaway PostgreSQL databases for tests: each test file (or test server) gets a database of its
 * own on 127.0.0.1:5432, created from the `postgres` maintenance database with trust
 * authentication and dropped afterwards, so parallel test files never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const HOST = '127.0.0.1';
const PORT = 5432;
const USER = process.env.RAMPART_TEST_PG_USER ?? 'postgres';
const ADMIN_URL = `postgres://${USER}@${HOST}:${PORT}/postgres`;

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  // A stopped server refuses at once; the long connect time-out only lets an overloaded machine answer late.
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 20_000, query_timeout: 60_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a random name. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `rampart_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: `postgres://${USER}@${HOST}:${PORT}/${name}`,
    // FORCE ends connections a failed test may have left open.
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/**
 * The `skip` option of tests that need PostgreSQL: false when it answers; otherwise the reason,
 * which the runner prints. With RAMPART_REQUIRE_SERVICES set (CI), an absent server fails instead.
 */
export async function skipWithoutPostgres(): Promise<string | false> {
  try {
    await admin((c) => c.query('SELECT 1'));
    return false;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (process.env.RAMPART_REQUIRE_SERVICES) throw new Error(`PostgreSQL is required (RAMPART_REQUIRE_SERVICES) but ${ADMIN_URL} does not answer: ${why}`);
    return `PostgreSQL does not answer on ${HOST}:${PORT} (${why}); start it with pg_ctlcluster`;
  }
}
