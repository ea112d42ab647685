import type { Kysely } from 'kysely';
import type { Config } from '../config/settings.js';
import { PostgresLimiter } from '../limits/postgres-limiter.js';
import { RedisLimiter } from '../limits/redis-limiter.js';
import { HOUR_MS } from '../limits/windows.js';
import type { Clock } from '../shared/clock.js';
import { compactMachineCounts } from '../store/postgres/machine-counts.js';
import { compactListChanges } from '../store/postgres/list-versions.js';
import { connectKysely } from '../store/postgres/pool.js';
import type { Database } from '../store/schema.js';
import type { Deployment } from './deployment.js';
import { PostgresCluster } from './postgres-cluster.js';
import { SharedFaultCounters } from './shared-fault-counters.js';
import { SharedJournal } from './shared-journal.js';
import { sharedSecret } from './shared-secrets.js';

/** Often enough that the machine counts PostgreSQL appends stay a few thousand rows under load. */
const HOUSEKEEPING_MS = 5000;

/** Instances sharing a PostgreSQL database: limits, journal, fault counts and secrets live in it. */
export async function sharedDeployment(config: Config, url: string, clock: Clock, log: (message: string) => void, name: string): Promise<Deployment> {
  // A small pool of its own: limiter checks and journal writes never queue behind machine queries.
  const db = connectKysely(url, 4);
  const redis = config.limits ? await RedisLimiter.connect(config.limits, clock) : undefined;
  const journal = new SharedJournal(db, config.journalSize);
  const cluster = await PostgresCluster.start(url, name, log);
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
