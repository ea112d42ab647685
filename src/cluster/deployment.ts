import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config/settings.js';
import { loadOrCreateAdminKey, loadOrCreateSessionSecret } from '../config/data-secrets.js';
import { MemoryFaultCounters, type FaultCounters } from '../domain/traffic/faults.js';
import { MemoryJournal, type Journal } from '../domain/traffic/journal.js';
import type { RateLimiter } from '../domain/traffic/limits.js';
import type { Store } from '../domain/ports.js';
import { PostgresLimiter } from '../limits/postgres-limiter.js';
import { RedisLimiter } from '../limits/redis-limiter.js';
import { PersistedLimiter } from '../limits/persisted-limiter.js';
import { WindowLimiter } from '../limits/window-limiter.js';
import { HOUR_MS } from '../limits/windows.js';
import type { Clock } from '../shared/clock.js';
import { storeLocation } from '../store/open-store.js';
import { compactMachineCounts } from '../store/postgres/machine-counts.js';
import { compactListChanges } from '../store/postgres/list-versions.js';
import { connectKysely } from '../store/postgres/pool.js';
import type { Database } from '../store/schema.js';
import { SoloCluster, type Change, type Cluster } from './cluster.js';
import { notifyInstances, PostgresCluster } from './postgres-cluster.js';
import { SharedFaultCounters } from './shared-fault-counters.js';
import { SharedJournal } from './shared-journal.js';
import { sharedSecret } from './shared-secrets.js';
import { PostgresLocks } from './postgres-locks.js';
import type { MachineLocks } from '../domain/machines/tag-service.js';
import { KeyedLock } from '../shared/keyed-lock.js';
import { withStartupLock } from '../store/postgres/startup-lock.js';

const SAVE_COUNTERS_MS = 5000;
/** Often enough that the machine counts PostgreSQL appends stay a few thousand rows under load. */
const HOUSEKEEPING_MS = 5000;

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
  return location.kind === 'postgres' ? shared(config, location.url, clock, log) : single(config, store, clock);
}

/**
 * The admin key the running servers of this configuration use, for the CLI: `--admin-key`, else
 * the shared one in PostgreSQL, else the one in the data folder.
 */
export async function adminKeyFor(config: Config): Promise<string> {
  if (config.adminKey) return config.adminKey;
  const location = storeLocation(config);
  if (location.kind === 'sqlite') return loadOrCreateAdminKey(config.dataDir);
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
export function openMachineLocks(config: Config): Locks {
  const location = storeLocation(config);
  if (location.kind === 'postgres') return new PostgresLocks(location.url);
  const lock = new KeyedLock();
  return { run: (keys, fn) => lock.run(keys, fn), close: async () => {} };
}

/** Start-up provisioning, one instance at a time where several share a PostgreSQL database. */
export function oneAtATime(config: Config, fn: () => Promise<void>): Promise<void> {
  const location = storeLocation(config);
  return location.kind === 'postgres' ? withStartupLock(location.url, fn) : fn();
}

/** After a CLI command changed something servers cache: tell them (PostgreSQL; one SQLite process has no others). */
export async function announceChange(config: Config, change: Change): Promise<void> {
  const location = storeLocation(config);
  if (location.kind === 'postgres') await notifyInstances(location.url, change);
}

async function single(config: Config, store: Store, clock: Clock): Promise<Deployment> {
  const redis = config.limits ? await RedisLimiter.connect(config.limits, clock) : undefined;
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

async function shared(config: Config, url: string, clock: Clock, log: (message: string) => void): Promise<Deployment> {
  // A small pool of its own: limiter checks and journal writes never queue behind machine queries.
  const db = connectKysely(url, 4);
  const redis = config.limits ? await RedisLimiter.connect(config.limits, clock) : undefined;
  const journal = new SharedJournal(db, config.journalSize);
  const cluster = await PostgresCluster.start(url, instanceName(), log);
  const housekeeping = setInterval(() => {
    if (cluster.leader) void tidy(db, journal, clock, log);
  }, HOUSEKEEPING_MS);
  housekeeping.unref();
  return {
    cluster,
    limiter: redis ?? new PostgresLimiter(db, clock),
    journal,
    faultCounters: new SharedFaultCounters(db),
    adminKey: config.adminKey ?? (await sharedSecret(db, 'admin-key')),
    sessionSecret: config.sessionSecret ?? (await sharedSecret(db, 'session-secret')),
    async close() {
      clearInterval(housekeeping);
      await journal.flush();
      await cluster.close();
      await redis?.close();
      await db.destroy();
    },
  };
}

/** The leader's periodic work: fold machine counts and listing versions, trim journals, drop closed rate-limit windows; one failing does not stop the others. */
async function tidy(db: Kysely<Database>, journal: SharedJournal, clock: Clock, log: (message: string) => void): Promise<void> {
  const jobs = [
    compactMachineCounts(db),
    compactListChanges(db),
    journal.trim(),
    db.deleteFrom('limit_counters').where('hour_start', '<', clock.now() - HOUR_MS).execute(),
  ];
  for (const outcome of await Promise.allSettled(jobs)) if (outcome.status === 'rejected') log(`housekeeping failed: ${String(outcome.reason)}`);
}

function instanceName(): string {
  return `${process.pid}-${randomBytes(3).toString('hex')}`;
}
