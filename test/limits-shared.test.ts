import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { FaultInjector } from '../src/domain/traffic/faults.js';
import { MemoryJournal } from '../src/domain/traffic/journal.js';
import { MDE_LIMITS, type RateLimiter } from '../src/domain/traffic/limits.js';
import { TrafficControl } from '../src/domain/traffic/traffic-control.js';
import { PostgresLimiter } from '../src/limits/postgres-limiter.js';
import { RedisLimiter } from '../src/limits/redis-limiter.js';
import { connectKysely } from '../src/store/postgres/pool.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { WindowLimiter } from '../src/limits/window-limiter.js';
import { ManualClock } from '../src/shared/clock.js';
import { createTestDatabase, skipWithoutPostgres } from './helpers/postgres.js';
import { REDIS_URL, skipWithoutRedis } from './helpers/services.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

/**
 * The same cases for every limiter: the in-memory one of a single instance and the shared ones
 * several instances count with. Each case uses keys of its own, so shared stores need no cleanup
 * between cases. `two` gives a second limiter over the same shared state (a second instance).
 */
interface Subject {
  one(clock: ManualClock): Promise<RateLimiter>;
  two(clock: ManualClock): Promise<RateLimiter>;
}

export function limiterContract(name: string, subject: () => Promise<Subject>, skip: () => Promise<string | false>): void {
  describe(`rate limiter contract: ${name}`, async () => {
    const reason = await skip();
    const s = reason ? undefined : await subject();
    const opts = { skip: reason };

    it('admits 100 calls in a minute and refuses the 101st with the wait until the window closes', opts, async () => {
      const clock = new ManualClock(T0);
      const limiter = await s!.one(clock);
      const key = `t-${randomUUID()}/app/op`;
      for (let i = 1; i <= 100; i++) {
        assert.deepEqual(await limiter.consume(key, MDE_LIMITS), { admitted: true }, `call ${i}`);
        clock.advance(100);
      }
      assert.deepEqual(await limiter.consume(key, MDE_LIMITS), { admitted: false, retryAfterSeconds: 50 });
      clock.advance(49_999);
      assert.equal((await limiter.consume(key, MDE_LIMITS)).admitted, false);
      clock.advance(1);
      assert.deepEqual(await limiter.consume(key, MDE_LIMITS), { admitted: true });
    });

    it('throttles on the hour window alone, and refused calls do not count', opts, async () => {
      const clock = new ManualClock(T0);
      const limiter = await s!.one(clock);
      const key = `t-${randomUUID()}/app/op`;
      const limits = { perMinute: 3, perHour: 5 };
      const outcomes: boolean[] = [];
      for (let i = 0; i < 4; i++) outcomes.push((await limiter.consume(key, limits)).admitted);
      clock.advance(60_000);
      for (let i = 0; i < 3; i++) outcomes.push((await limiter.consume(key, limits)).admitted);
      assert.deepEqual(outcomes, [true, true, true, false, true, true, false]);
      assert.deepEqual(await limiter.consume(key, limits), { admitted: false, retryAfterSeconds: 59 * 60 });
    });

    it('counts calls through two instances once', opts, async () => {
      const clock = new ManualClock(T0);
      const [a, b] = [await s!.one(clock), await s!.two(clock)];
      const key = `t-${randomUUID()}/app/op`;
      const results = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).consume(key, MDE_LIMITS)));
      assert.equal(results.filter((r) => r.admitted).length, 100);
      assert.equal((await a.consume(key, MDE_LIMITS)).admitted, false);
      assert.equal((await b.consume(key, MDE_LIMITS)).admitted, false);
    });

    it('lists counters under a prefix and forgets a reset prefix', opts, async () => {
      const clock = new ManualClock(T0);
      const limiter = await s!.one(clock);
      const tenant = `t-${randomUUID()}`;
      const one = { perMinute: 1, perHour: null };
      await limiter.consume(`${tenant}/app/op`, one);
      await limiter.consume(`${tenant}/app/other`, one);
      await limiter.consume(`${tenant}x/app/op`, one);
      clock.advance(1000);
      assert.deepEqual(await limiter.counters(`${tenant}/`), [
        { key: `${tenant}/app/op`, minuteStart: T0, minuteCount: 1, hourStart: T0, hourCount: 1 },
        { key: `${tenant}/app/other`, minuteStart: T0, minuteCount: 1, hourStart: T0, hourCount: 1 },
      ]);
      await limiter.reset(`${tenant}/`);
      assert.deepEqual(await limiter.counters(`${tenant}/`), []);
      assert.equal((await limiter.consume(`${tenant}/app/op`, one)).admitted, true);
      assert.equal((await limiter.consume(`${tenant}x/app/op`, one)).admitted, false, 'a neighbouring prefix is untouched');
    });
  });
}

limiterContract(
  'memory',
  async () => {
    const limiters = new WeakMap<ManualClock, WindowLimiter>();
    // One process: the "second instance" is the same limiter.
    const shared = async (clock: ManualClock) => limiters.get(clock) ?? limiters.set(clock, new WindowLimiter(clock)).get(clock)!;
    return { one: shared, two: shared };
  },
  async () => false,
);

limiterContract(
  'postgresql',
  async () => {
    const database = await createTestDatabase();
    const store = await PostgresStore.open(database.url); // migrates: limit_counters exists
    await store.close();
    const db = connectKysely(database.url, 8);
    after(async () => {
      await db.destroy();
      await database.drop();
    });
    // Two limiters over one database are two instances.
    const open = async (clock: ManualClock) => new PostgresLimiter(db, clock);
    return { one: open, two: open };
  },
  skipWithoutPostgres,
);

limiterContract(
  'redis',
  async () => {
    const opened: RedisLimiter[] = [];
    after(() => Promise.all(opened.map((l) => l.close())));
    const open = async (clock: ManualClock) => {
      const limiter = await RedisLimiter.connect(REDIS_URL, clock);
      opened.push(limiter);
      return limiter;
    };
    return { one: open, two: open };
  },
  skipWithoutRedis,
);

describe('a shared limiter that cannot answer', () => {
  it('makes the call 503 with Retry-After, never a 500 and never an uncounted call', async () => {
    const down: RateLimiter = {
      consume: async () => Promise.reject(new Error('connection refused')),
      counters: async () => [],
      reset: async () => {},
    };
    const traffic = new TrafficControl({
      limiter: down,
      faults: new FaultInjector(),
      journal: new MemoryJournal(1),
      global: { enabled: true },
      lookup: async () => ({}),
      rules: { listFaultRules: async () => [], tenantsWithFaultRules: async () => [], replaceFaultRules: async () => {} },
      clock: new ManualClock(T0),
    });
    const principal = { kind: 'application', tenantId: 't', appId: 'a' } as unknown as Parameters<typeof traffic.admit>[0];
    await assert.rejects(traffic.admit(principal, 'GetMachine'), (error: { code?: string; headers?: Record<string, string> }) => {
      assert.equal(error.code, 'ServiceUnavailable');
      assert.deepEqual(error.headers, { 'retry-after': '1' });
      return true;
    });
  });
});
