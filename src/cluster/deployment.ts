import { randomBytes } from 'node:crypto';
import type { Config } from '../config/settings.js';
import { loadOrCreateAdminKey, loadOrCreateSessionSecret } from '../config/data-secrets.js';
import { MemoryFaultCounters, type FaultCounters } from '../domain/traffic/faults.js';
import { MemoryJournal, type Journal } from '../domain/traffic/journal.js';
import type { RateLimiter } from '../domain/traffic/limits.js';
import type { Store } from '../domain/ports.js';
import { PersistedLimiter } from '../limits/persisted-limiter.js';
import { WindowLimiter } from '../limits/window-limiter.js';
import type { Clock } from '../shared/clock.js';
import { storeLocation } from '../store/open-store.js';
import { SoloCluster, type Change, type Cluster } from './cluster.js';
import type { MachineLocks } from '../domain/machines/tag-service.js';
import { KeyedLock } from '../shared/keyed-lock.js';

// The PostgreSQL and Redis parts (pg, ioredis) load only for a store or limits that use them: a
// CLI command on a SQLite data folder, the common case, starts without them.

const SAVE_COUNTERS_MS = 5000;

/**
 * What differs between one instance and several: where rate-limit counters, fault-rule call
 * counts, the request journal and the generated secrets live, who runs periodic work, and how
 * instances hear of each other's changes. One instance on SQLite keeps them in memory and in its
 * data folder; instances on PostgreSQL share them in the database (limits optionally in Redis).
 */
export interface Deployment {
  readonly cluster: Cluster;
  readonly limiter: RateLimiter;
  readonly journal: Journal;
  readonly faultCounters: FaultCounters;
  readonly adminKey: string;
  readonly sessionSecret: string;
  close(): Promise<void>;
}

export async function openDeployment(config: Config, store: Store, clock: Clock, log: (message: string) => void): Promise<Deployment> {
  const location = storeLocation(config);
  if (location.kind !== 'postgres') return single(config, store, clock);
  return (await import('./shared-deployment.js')).sharedDeployment(config, location.url, clock, log, instanceName());
}

/**
 * The admin key the running servers of this configuration use, for the CLI: `--admin-key`, else
 * the shared one in PostgreSQL, else the one in the data folder.
 */
export async function adminKeyFor(config: Config): Promise<string> {
  if (config.adminKey) return config.adminKey;
  const location = storeLocation(config);
  if (location.kind === 'sqlite') return loadOrCreateAdminKey(config.dataDir);
  const [{ connectKysely }, { sharedSecret }] = await Promise.all([import('../store/postgres/pool.js'), import('./shared-secrets.js')]);
  const db = connectKysely(location.url, 1);
  try {
    return await sharedSecret(db, 'admin-key');
  } finally {
    await db.destroy();
  }
}

/** Per-machine locks for tag changes, with their connections to close. */
export interface Locks extends MachineLocks {
  close(): Promise<void>;
}

/** Tag changes lock their machines: in this process for SQLite, across instances for PostgreSQL. */
export async function openMachineLocks(config: Config): Promise<Locks> {
  const location = storeLocation(config);
  if (location.kind === 'postgres') return new (await import('./postgres-locks.js')).PostgresLocks(location.url);
  const lock = new KeyedLock();
  return { run: (keys, fn) => lock.run(keys, fn), close: async () => {} };
}

/** Start-up provisioning, one instance at a time where several share a PostgreSQL database. */
export async function oneAtATime(config: Config, fn: () => Promise<void>): Promise<void> {
  const location = storeLocation(config);
  return location.kind === 'postgres' ? (await import('../store/postgres/startup-lock.js')).withStartupLock(location.url, fn) : fn();
}

/** After a CLI command changed something servers cache: tell them (PostgreSQL; one SQLite process has no others). */
export async function announceChange(config: Config, change: Change): Promise<void> {
  const location = storeLocation(config);
  if (location.kind === 'postgres') await (await import('./postgres-cluster.js')).notifyInstances(location.url, change);
}

async function single(config: Config, store: Store, clock: Clock): Promise<Deployment> {
  const redis = config.limits ? await (await import('../limits/redis-limiter.js')).RedisLimiter.connect(config.limits, clock) : undefined;
  const memory = redis ? undefined : new WindowLimiter(clock);
  let saver: NodeJS.Timeout | undefined;
  const save = async () => {
    if (memory) await store.saveLimitCounters(memory.snapshot());
  };
  if (memory) {
    // Each admitted call is written as it is counted (PersistedLimiter), so a restart, even
    // after kill -9, hands out no fresh budget; the periodic save only drops closed windows.
    memory.restore(await store.loadLimitCounters());
    saver = setInterval(() => void save().catch(() => {}), SAVE_COUNTERS_MS);
    saver.unref();
  }
  return {
    cluster: new SoloCluster(instanceName()),
    limiter: redis ?? new PersistedLimiter(memory as WindowLimiter, store),
    journal: new MemoryJournal(config.journalSize),
    faultCounters: new MemoryFaultCounters(),
    adminKey: config.adminKey ?? loadOrCreateAdminKey(config.dataDir),
    sessionSecret: config.sessionSecret ?? loadOrCreateSessionSecret(config.dataDir),
    async close() {
      clearInterval(saver);
      await save();
      await redis?.close();
    },
  };
}

function instanceName(): string {
  return `${process.pid}-${randomBytes(3).toString('hex')}`;
}
