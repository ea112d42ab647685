import { sql, type Kysely } from 'kysely';
import type { Admission, LimitCounter, LimitSettings, RateLimiter } from '../domain/traffic/limits.js';
import type { Clock } from '../shared/clock.js';
import { rowToLimitCounter } from '../store/directory-rows.js';
import type { Database } from '../store/schema.js';
import { current, decide, HOUR_MS, MINUTE_MS, toCounter } from './windows.js';

/**
 * Rate limits counted once for every instance on one PostgreSQL database, in the
 * `limit_counters` table. Checking and counting are one statement: an upsert that only
 * increments when both windows have room (the rule of windows.ts, written in SQL), so two
 * instances can never both admit the 101st call. Only a refused call costs a second query, to
 * say when to come back. Time is the caller's clock, as with the in-memory limiter.
 */
export class PostgresLimiter implements RateLimiter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async consume(key: string, limits: LimitSettings): Promise<Admission> {
    const now = this.clock.now();
    const minute = sql`${now}::bigint - c.minute_start >= ${MINUTE_MS}`;
    const hour = sql`${now}::bigint - c.hour_start >= ${HOUR_MS}`;
    const { rows } = await sql`
      insert into limit_counters as c (key, minute_start, minute_count, hour_start, hour_count)
      values (${key}, ${now}, 1, ${now}, 1)
      on conflict (key) do update set
        minute_start = case when ${minute} then ${now} else c.minute_start end,
        minute_count = case when ${minute} then 1 else c.minute_count + 1 end,
        hour_start = case when ${hour} then ${now} else c.hour_start end,
        hour_count = case when ${hour} then 1 else c.hour_count + 1 end
      where (${limits.perMinute}::integer is null or ${minute} or c.minute_count < ${limits.perMinute}::integer)
        and (${limits.perHour}::integer is null or ${hour} or c.hour_count < ${limits.perHour}::integer)
      returning 1 as admitted`.execute(this.db);
    if (rows.length > 0) return { admitted: true };
    const state = await this.db.selectFrom('limit_counters').selectAll().where('key', '=', key).executeTakeFirst();
    const refusal = decide(current(state && rowToLimitCounter(state), now), limits, now);
    // The window may have closed between the two statements: the caller is welcome in a second.
    return refusal.admitted ? { admitted: false, retryAfterSeconds: 1 } : refusal;
  }

  async counters(prefix: string): Promise<LimitCounter[]> {
    const now = this.clock.now();
    const rows = await this.db.selectFrom('limit_counters').selectAll().where(startsWith(prefix)).orderBy('key').execute();
    return rows.map((r) => toCounter(r.key, rowToLimitCounter(r), now));
  }

  async reset(prefix: string): Promise<void> {
    await this.db.deleteFrom('limit_counters').where(startsWith(prefix)).execute();
  }
}

/** Keys under a prefix (no LIKE: a prefix may hold % or _). */
const startsWith = (prefix: string) => sql<boolean>`left(key, ${prefix.length}) = ${prefix}`;
