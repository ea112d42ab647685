import { Redis } from 'ioredis';
import type { Admission, LimitCounter, LimitSettings, RateLimiter } from '../domain/traffic/limits.js';
import type { Clock } from '../shared/clock.js';
import { decide, HOUR_MS, MINUTE_MS, toCounter, type WindowState } from './windows.js';

const PREFIX = 'rampart:limits:';

/**
 * The rule of windows.ts as one Lua script, so checking and counting are atomic in Redis however
 * many instances call at once. It returns the windows after the call and whether it counted; the
 * wait of a refused call is then worked out in TypeScript by the same `decide` as everywhere.
 * A key expires when its hour window closes (a TTL reckoned on the caller's clock, not Redis's).
 */
const CONSUME = `
local now = tonumber(ARGV[1])
local perMinute = tonumber(ARGV[2])
local perHour = tonumber(ARGV[3])
local w = redis.call('HMGET', KEYS[1], 'ms', 'mc', 'hs', 'hc')
local ms, mc, hs, hc = tonumber(w[1]), tonumber(w[2]), tonumber(w[3]), tonumber(w[4])
if not ms or now - ms >= ${MINUTE_MS} then ms = now; mc = 0 end
if not hs or now - hs >= ${HOUR_MS} then hs = now; hc = 0 end
local admitted = (perMinute < 0 or mc < perMinute) and (perHour < 0 or hc < perHour)
if admitted then
  mc = mc + 1
  hc = hc + 1
  redis.call('HSET', KEYS[1], 'ms', ms, 'mc', mc, 'hs', hs, 'hc', hc)
  redis.call('PEXPIRE', KEYS[1], hs + ${HOUR_MS} - now)
end
return {admitted and 1 or 0, ms, mc, hs, hc}
`;

type Reply = [number, number, number, number, number];

export class RedisLimiter implements RateLimiter {
  private readonly redis: Redis;

  private constructor(
    url: string,
    private readonly clock: Clock,
  ) {
    // Fail fast rather than queue: a limiter that cannot answer must not hold requests forever.
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 });
    this.redis.defineCommand('rampartConsume', { numberOfKeys: 1, lua: CONSUME });
    this.redis.on('error', () => {}); // each failed command rejects on its own; this keeps the process alive
  }

  /** Connected, or rejected with the reason (a wrong URL stops start-up rather than every call). */
  static async connect(url: string, clock: Clock): Promise<RedisLimiter> {
    const limiter = new RedisLimiter(url, clock);
    try {
      await limiter.redis.connect();
    } catch (error) {
      limiter.redis.disconnect();
      throw new Error(`cannot reach Redis at ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return limiter;
  }

  async consume(key: string, limits: LimitSettings): Promise<Admission> {
    const now = this.clock.now();
    const consume = (this.redis as unknown as { rampartConsume(...args: unknown[]): Promise<Reply> }).rampartConsume;
    const [admitted, minuteStart, minuteCount, hourStart, hourCount] = await consume.call(
      this.redis,
      PREFIX + key,
      now,
      limits.perMinute ?? -1,
      limits.perHour ?? -1,
    );
    if (admitted === 1) return { admitted: true };
    return decide({ minuteStart, minuteCount, hourStart, hourCount }, limits, now);
  }

  async counters(prefix: string): Promise<LimitCounter[]> {
    const now = this.clock.now();
    const keys = (await this.keys(prefix)).sort();
    const out: LimitCounter[] = [];
    for (const full of keys) {
      const [ms, mc, hs, hc] = await this.redis.hmget(full, 'ms', 'mc', 'hs', 'hc');
      if (ms === null || hs === null) continue; // expired between SCAN and HMGET
      const w: WindowState = { minuteStart: Number(ms), minuteCount: Number(mc), hourStart: Number(hs), hourCount: Number(hc) };
      out.push(toCounter(full.slice(PREFIX.length), w, now));
    }
    return out;
  }

  async reset(prefix: string): Promise<void> {
    const keys = await this.keys(prefix);
    if (keys.length > 0) await this.redis.del(...keys);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async keys(prefix: string): Promise<string[]> {
    const pattern = PREFIX + prefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      for (const k of batch) found.add(k);
      cursor = next;
    } while (cursor !== '0');
    return [...found];
  }
}
