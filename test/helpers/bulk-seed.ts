/** What the SQLite and PostgreSQL bulk-load tests share. */
import assert from 'node:assert/strict';
import type { FleetOptions } from '../../src/fleet/generator.js';
import { seedFleet, type SeedStore } from '../../src/fleet/seed.js';

/** The tenant a second seed goes into. */
export const OTHER_TENANT = '0b5e55ed-0000-4000-8000-000000000002';

/**
 * A store that already holds a fleet declines a bulk load, and a second tenant's seed (asking for
 * one) writes its 100 machines the usual way. Closes the store.
 */
export async function seedSecondTenant(store: SeedStore & Required<Pick<SeedStore, 'bulkLoad'>> & { close(): Promise<void> }, fleet: FleetOptions): Promise<void> {
  try {
    await store.putTenant({ id: OTHER_TENANT, name: 'Other', retentionDays: 180 });
    assert.equal(await store.bulkLoad(async () => 'ran'), undefined);
    await seedFleet(store, OTHER_TENANT, { ...fleet, count: 100 }, undefined, { bulk: true });
    assert.equal(await store.countMachines(OTHER_TENANT), 100);
  } finally {
    await store.close();
  }
}

/** The store declines a bulk load without running any of it. */
export async function assertDeclined(store: Required<Pick<SeedStore, 'bulkLoad'>>): Promise<void> {
  let ran = false;
  const loaded = await store.bulkLoad(async () => {
    ran = true;
  });
  assert.equal(loaded, undefined);
  assert.equal(ran, false);
}

/** A seed of 20 machines that asks for a bulk load (declined or not) lands them all. */
export async function seedTwenty(store: SeedStore, tenantId: string, fleet: FleetOptions): Promise<void> {
  await seedFleet(store, tenantId, { ...fleet, count: 20 }, undefined, { bulk: true });
  assert.equal(await store.countMachines(tenantId), 20);
}
