import type { Machine } from '../domain/machines/machine.js';
import type { IpAssignment } from '../domain/machines/ip-history.js';
import { assignGroup } from '../domain/identity/device-groups.js';
import type { DirectoryStore, MachineStore, TenantStore } from '../domain/ports.js';
import type { ChangeContext } from '../domain/machines/value-change.js';
import { timestampFromMillis } from '../shared/timestamp.js';
import type { FleetOptions } from './generator.js';
import { generateFleetWithHistory, type FleetEntry } from './address-history.js';

const BATCH = 25000;
/** Machines per write: progress is told per chunk committed, so a bar moves while a batch writes. */
const CHUNK = 1000;

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
        Promise.all([store.putMachines(tenantId, machines, change), store.putIpHistory(tenantId, history.slice(i, i + CHUNK).flat())]).then(() => {
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
    if (batch.length >= BATCH) {
      await flush(batch, addresses);
      batch = [];
      addresses = [];
    }
  }
  if (batch.length > 0) await flush(batch, addresses);
  await pending;
  return written;
}

/** Generates a fleet into a tenant and records how, so a reset can generate it again. */
export async function seedFleet(
  store: MachineStore & DirectoryStore & TenantStore,
  tenantId: string,
  options: FleetOptions,
  onProgress?: (written: number) => void,
): Promise<number> {
  const written = await putInBatches(store, tenantId, generateFleetWithHistory(options), 'seed', onProgress);
  const tenant = await store.getTenant(tenantId);
  const { count, seed, nowMs, staleFraction } = options;
  if (tenant) await store.putTenant({ ...tenant, seed: { count, seed, nowMs, ...(staleFraction !== undefined ? { staleFraction } : {}) } });
  return written;
}
