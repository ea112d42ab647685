import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { MachineLocks } from '../domain/machines/tag-service.js';
import { KeyedLock } from '../shared/keyed-lock.js';
import { newPool } from '../store/postgres/pool.js';

/**
 * Per-machine mutual exclusion across every instance on one PostgreSQL database, for
 * read-modify-write changes such as adding a tag: session-level advisory locks, taken in one
 * statement in key order (so two callers cannot deadlock) on a connection held for the duration.
 * Callers of this process first queue in memory, so contention here never costs connections.
 * A key is a 64-bit hash; a collision only makes two machines wait for each other.
 */
export class PostgresLocks implements MachineLocks {
  private readonly local = new KeyedLock();
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = newPool(url, 4);
  }

  run<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    return this.local.run(keys, async () => {
      const client = await this.pool.connect();
      let broken = false;
      try {
        const ids = [...new Set(keys.map(lockId))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        await client.query('select count(pg_advisory_lock(k)) from (select k from unnest($1::bigint[]) as k order by k) as ordered', [ids]);
        return await fn();
      } catch (error) {
        broken = true; // the connection may still hold locks: do not hand it to the next caller
        throw error;
      } finally {
        if (!broken) await client.query('select pg_advisory_unlock_all()').catch(() => (broken = true));
        client.release(broken);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function lockId(key: string): string {
  return createHash('sha256').update(key).digest().readBigInt64BE(0).toString();
}
