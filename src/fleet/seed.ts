import type { Machine } from '../domain/machine.js';
import type { MachineStore } from '../domain/ports.js';
import type { ChangeContext } from '../domain/value-change.js';
import { timestampFromMillis } from '../shared/timestamp.js';
import { generateFleet, type FleetOptions } from './generator.js';

const BATCH = 5000;

/**
 * Writes machines in batches while the next batch is produced: at most two batches are in
 * flight, so a million machines stream through without sitting in memory at once.
 */
export async function putInBatches(
  store: MachineStore,
  tenantId: string,
  machines: Iterable<Machine> | AsyncIterable<Machine>,
  route: 'seed' | 'import',
  onProgress: (written: number) => void = () => {},
): Promise<number> {
  // A device value that a seed or import changes is audited like any other change.
  const change: ChangeContext = { at: timestampFromMillis(Date.now()), appId: null, userId: null, route, requestId: null };
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
    batch.push(machine);
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
  store: MachineStore,
  tenantId: string,
  options: FleetOptions,
  onProgress?: (written: number) => void,
): Promise<number> {
  return putInBatches(store, tenantId, generateFleet(options), 'seed', onProgress);
}
