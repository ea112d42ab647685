import { newPool } from './pool.js';

/** An arbitrary constant naming Rampart's start-up lock among the database's advisory locks. */
const STARTUP_LOCK = 0x52414d51;

/**
 * Runs `fn` while holding a database-wide advisory lock, so instances started together on one
 * PostgreSQL database provision the demo tenant, apply tenant files and create the first signing
 * key one after the other. Each of those is idempotent when run in turn, but two at once would
 * both insert the same rows (a duplicate-key failure that stopped an instance's start-up).
 */
export async function withStartupLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const pool = newPool(url, 1);
  try {
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [STARTUP_LOCK]);
      try {
        return await fn();
      } finally {
        await client.query('select pg_advisory_unlock($1)', [STARTUP_LOCK]).catch(() => {});
      }
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}
