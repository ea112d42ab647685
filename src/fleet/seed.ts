import type { Machine } from '../domain/machine.js';
import { assignGroup } from '../domain/device-groups.js';
import type { DirectoryStore, MachineStore } from '../domain/ports.js';
import type { ChangeContext } from '../domain/value-change.js';
import { timestampFromMillis } from '../shared/timestamp.js';
import { generateFleet, type FleetOptions } from './generator.js';

const BATCH = 5000;

/**
 * Writes machines in batches while the next batch is produced: at most two batches are in
 * flight, so a million machines stream through without sitting in memory at once.
 */
export async function putInBatches(
  store: MachineStore & DirectoryStore,
  tenantId: string,
  machines: Iterable<Machine> | AsyncIterable<Machine>,
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
  let pending: Promise<void> = Promise.resolve();
  let written = 0;
  const flush = async (items: Machine[]) => {
    const previous = pending;
    pending = store.putMachines(tenantId, items, change).then(() => {
      written += items.length;
      onProgress(written);
    });
    await previous;
  };
  for await (const machine of machines) {
    batch.push(place(machine));
    if (batch.length >= BATCH) {
      await flush(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await flush(batch);
  await pending;
  return written;
}

export function seedFleet(
  store: MachineStore & DirectoryStore,
  tenantId: string,
  options: FleetOptions,
  onProgress?: (written: number) => void,
): Promise<number> {
  return putInBatches(store, tenantId, generateFleet(options), 'seed', onProgress);
}
