import type { Machine } from '../domain/machines/machine.js';
import type { IpAssignment } from '../domain/machines/ip-history.js';
import { assignGroup } from '../domain/identity/device-groups.js';
import type { BulkLoader, BulkLoadSink, DirectoryStore, MachineStore, TenantStore } from '../domain/ports.js';
import type { ChangeContext } from '../domain/machines/value-change.js';
import { timestampFromMillis } from '../shared/timestamp.js';
import type { FleetOptions } from './generator.js';
import { generateFleetWithHistory, type FleetEntry } from './address-history.js';
import type { AlertStore } from '../domain/alerts/alert-ports.js';
import { DEFAULT_ALERTS_PER_MACHINE } from './alert-generator.js';
import { AlertSeeder } from './alert-seeder.js';

const BATCH = 25000;
/** Machines per write: progress is told per chunk committed, so a bar moves while a batch writes. */
const CHUNK = 1000;
/**
 * A bulk load writes one chunk after another on this thread, so large batches buy nothing there
 * and cost much: every machine and alert held that long outlives the young generation, and the
 * garbage collector took half of a seed's time marking them (measured: 48% at 20,000 machines).
 */
const BULK_BATCH = { machines: CHUNK, alerts: 2 * CHUNK } as const;

/**
 * Writes machines in batches while the next batch is produced: at most two batches are in
 * flight, so a million machines stream through without sitting in memory at once.
 */
export async function putInBatches(
  store: MachineStore & DirectoryStore,
  tenantId: string,
  entries: Iterable<FleetEntry> | AsyncIterable<FleetEntry>,
  route: 'seed' | 'import',
  onProgress: (written: number) => void = () => {},
  sink: Pick<BulkLoadSink, 'putMachines' | 'putIpHistory'> = store,
  batchSize = BATCH,
): Promise<number> {
  // A device value that a seed or import changes is audited like any other change.
  const change: ChangeContext = { at: timestampFromMillis(Date.now()), appId: null, userId: null, route, requestId: null };
  // A tenant that defines device groups places each machine by its rules; otherwise the groups
  // the machines arrive with are kept (a mirrored inventory keeps its real groups).
  const groups = await store.listDeviceGroups(tenantId);
  const place = (m: Machine): Machine => (groups.length === 0 ? m : { ...m, ...assignGroup(groups, m) });
  let batch: Machine[] = [];
  let addresses: (readonly IpAssignment[])[] = [];
  let pending: Promise<void> = Promise.resolve();
  let written = 0;
  const flush = async (items: Machine[], history: (readonly IpAssignment[])[]) => {
    const previous = pending;
    const chunks: Promise<void>[] = [];
    for (let i = 0; i < items.length; i += CHUNK) {
      const machines = items.slice(i, i + CHUNK);
      // Queued in the same turn, a chunk's machines and their addresses commit in the same transaction.
      chunks.push(
        Promise.all([sink.putMachines(tenantId, machines, change), sink.putIpHistory(tenantId, history.slice(i, i + CHUNK).flat())]).then(() => {
          written += machines.length;
          onProgress(written);
        }),
      );
    }
    pending = Promise.all(chunks).then(() => {});
    await previous;
  };
  for await (const entry of entries) {
    batch.push(place(entry.machine));
    addresses.push(entry.ipHistory);
    if (batch.length >= batchSize) {
      await flush(batch, addresses);
      batch = [];
      addresses = [];
    }
  }
  if (batch.length > 0) await flush(batch, addresses);
  await pending;
  return written;
}

export interface SeedResult {
  readonly machines: number;
  readonly alerts: number;
}

export type SeedStore = MachineStore & DirectoryStore & TenantStore & { readonly alerts: AlertStore } & Partial<BulkLoader>;

/**
 * Generates a fleet into a tenant, with its alerts (about `alertsPerMachine` per machine), and
 * records how, so a reset can generate the same again. With `bulk`, a backend that can bulk-load
 * (SQLite or PostgreSQL, into a store without machines or alerts) gets the same rows through its loader,
 * committed at once; only a command that owns the store may ask for it, since the store takes no
 * other write while it loads (never the server: a reset while serving writes the usual way).
 */
export async function seedFleet(
  store: SeedStore,
  tenantId: string,
  options: FleetOptions,
  onProgress?: (written: number) => void,
  { bulk = false, onIndexed }: { readonly bulk?: boolean; readonly onIndexed?: (built: number, total: number) => void } = {},
): Promise<SeedResult> {
  const { count, seed, nowMs, staleFraction, alertsPerMachine = DEFAULT_ALERTS_PER_MACHINE } = options;
  const write = async (sink: Pick<BulkLoadSink, 'putMachines' | 'putIpHistory' | 'insertNewAlerts'>, batches?: typeof BULK_BATCH): Promise<SeedResult> => {
    const alerts = new AlertSeeder(sink, tenantId, seed, alertsPerMachine, nowMs, batches?.alerts);
    async function* withAlerts(): AsyncGenerator<FleetEntry> {
      for (const entry of generateFleetWithHistory(options)) {
        await alerts.add(entry.machine);
        yield entry;
      }
    }
    const machines = await putInBatches(store, tenantId, withAlerts(), 'seed', onProgress, sink, batches?.machines);
    return { machines, alerts: await alerts.finish() };
  };
  const loaded = bulk && store.bulkLoad ? await store.bulkLoad((sink) => write(sink, BULK_BATCH), onIndexed) : undefined;
  const { machines: written, alerts: alertCount } = loaded ? loaded.value : await write({
    putMachines: (...args) => store.putMachines(...args),
    putIpHistory: (...args) => store.putIpHistory(...args),
    insertNewAlerts: (...args) => store.alerts.insertNewAlerts(...args),
  });
  const tenant = await store.getTenant(tenantId);
  const recorded = { count, seed, nowMs, ...(staleFraction !== undefined ? { staleFraction } : {}), ...(options.alertsPerMachine !== undefined ? { alertsPerMachine } : {}) };
  if (tenant) await store.putTenant({ ...tenant, seed: recorded });
  return { machines: written, alerts: alertCount };
}
