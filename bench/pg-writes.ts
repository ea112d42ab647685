/**
 * `npm run bench:pg-writes`: database CPU per device-value change on PostgreSQL, below HTTP, in one
 * run: the store's update path driven by 50 concurrent writers over 50 machines of a 2,000-machine
 * fleet, one statement per change (as before issue 15) or grouped (src/store/postgres/value-batch.ts),
 * on the schema as it is (device values kept out of the machines' indexes, so a change is a HOT
 * update: migration 0017) and on the schema before migration 0017 (its `down`: two indexes of
 * `machines` holding device_value). Each configuration gets a scratch database, dropped at the end.
 *
 * Why below HTTP: on a shared 2-core machine the HTTP bench's servers and load generators starve
 * for CPU and the database idles; here almost all the work is the database's, and its CPU time per
 * change (not wall time) is what sizes database cores. Options: --duration <s> (default 10),
 * --writers <n> (default 50).
 */
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import type { Store } from '../src/domain/ports.js';
import { generateFleet } from '../src/fleet/generator.js';
import { down as undoMachineValues } from '../src/store/migrations/0017-machine-values.js';
import { connectKysely } from '../src/store/postgres/pool.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { BatchLimits } from '../src/store/postgres/value-batch.js';
import { DEFAULT_BATCH_LIMITS } from '../src/store/postgres/value-batch.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { databaseCores, databaseCpuSeconds, postgresUnavailable, scratchDatabase } from './postgres-db.js';
import { runBench, type ProcessGroup } from './processes.js';
import { table } from './report.js';

const TENANT = '7e57da7a-de70-4e2a-9c3d-0000000000be';
const FLEET = 2_000;
const HOT_MACHINES = 50;
const VALUES: readonly DeviceValue[] = ['Low', 'Normal', 'High'];
const ONE_BY_ONE: BatchLimits = { inFlight: 10, maxBatch: 1 }; // every pooled connection, a statement per change

interface Config {
  readonly name: string;
  /** The schema before migration 0017: device_value in two indexes of machines, no HOT update. */
  readonly valueIndexes: boolean;
  readonly batch: BatchLimits;
}
const CONFIGS: readonly Config[] = [
  { name: 'before: one statement per change', valueIndexes: true, batch: ONE_BY_ONE },
  { name: 'grouped, value indexes on machines', valueIndexes: true, batch: DEFAULT_BATCH_LIMITS },
  { name: 'now: HOT, one statement per change', valueIndexes: false, batch: ONE_BY_ONE },
  { name: 'now: HOT, grouped', valueIndexes: false, batch: DEFAULT_BATCH_LIMITS },
];

async function main(group: ProcessGroup): Promise<number> {
  const { values } = parseArgs({ options: { duration: { type: 'string' }, writers: { type: 'string' } } });
  const durationS = Number(values.duration ?? 10);
  const writers = Number(values.writers ?? 50);
  const unavailable = await postgresUnavailable();
  if (unavailable) {
    process.stdout.write(`PostgreSQL not available (${unavailable}); nothing measured\n`);
    return 0;
  }
  process.stdout.write(`PostgreSQL device-value changes below HTTP: ${writers} writers over ${HOT_MACHINES} machines, 2 s warm-up + ${durationS} s each, pool of 10\n\n`);
  const rows: string[][] = [];
  let baseline: number | undefined;
  for (const config of CONFIGS) {
    const m = await measure(group, config, durationS, writers);
    baseline ??= m.usPerWrite;
    rows.push([config.name, Math.round(m.perSecond).toLocaleString('en-US'), m.cores.toFixed(2), Math.round(m.usPerWrite).toString(), (baseline / m.usPerWrite).toFixed(1)]);
    process.stdout.write(`${config.name.padEnd(36)} ${Math.round(m.perSecond)} changes/s, db ${m.cores.toFixed(2)} cores, ${Math.round(m.usPerWrite)} us/change\n`);
  }
  process.stdout.write(`\n${table(['configuration', 'changes/s', 'db cores', 'db us/change', 'CPU cut vs before'], rows)}\n`);
  process.stdout.write('db cores: CPU of the scratch database\'s backends (not the WAL writer or checkpointer). Figures from one run; on a shared machine compare rows, not runs.\n');
  return 0;
}

async function measure(group: ProcessGroup, config: Config, durationS: number, writers: number): Promise<{ perSecond: number; cores: number; usPerWrite: number }> {
  const database = await scratchDatabase(group, `pgwrites_${config.valueIndexes ? 'indexed' : 'hot'}_${config.batch.maxBatch}`);
  const nowMs = Date.now();
  const at = (ms: number) => timestampFromMillis(ms) as Timestamp;
  const store: Store = await PostgresStore.open(database.url, { poolSize: 10, valueBatch: config.batch });
  try {
    await store.putTenant({ id: TENANT, name: 'pg-writes', retentionDays: 180 });
    const fleet = [...generateFleet({ count: FLEET, seed: 15, nowMs })].map((m) => ({ ...m, lastSeen: at(nowMs - 86_400_000) }));
    await store.putMachines(TENANT, fleet, { at: at(nowMs), appId: null, userId: null, route: 'seed', requestId: null });
    if (config.valueIndexes) {
      const db = connectKysely(database.url, 1);
      try {
        await undoMachineValues(db as unknown as Kysely<unknown>);
      } finally {
        await db.destroy();
      }
    }
    const ids = fleet.slice(0, HOT_MACHINES).map((m) => m.id);
    const scope = { tenantId: TENANT, visibleSince: at(nowMs - 180 * 86_400_000), rbacGroupIds: null };
    const run = async (seconds: number): Promise<number> => {
      const until = performance.now() + seconds * 1000;
      let done = 0;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; performance.now() < until; i++) {
            const change = { at: at(Date.now()), appId: 'bench', userId: null, route: 'setDeviceValue' as const, requestId: null };
            const result = await store.update({ scope, machineId: ids[w % ids.length] as string, deviceValue: VALUES[i % 3] as DeviceValue, change });
            if (!result) throw new Error('a bench machine was not found');
            done++;
          }
        }),
      );
      return done;
    };
    await run(2);
    const before = databaseCpuSeconds(database.name);
    const started = performance.now();
    const done = await run(durationS);
    const elapsedS = (performance.now() - started) / 1000;
    const cores = databaseCores(before, databaseCpuSeconds(database.name), elapsedS);
    const perSecond = done / elapsedS;
    return { perSecond, cores, usPerWrite: (cores * 1e6) / perSecond };
  } finally {
    await store.close();
    await database.drop();
  }
}

await runBench('bench:pg-writes', main);
